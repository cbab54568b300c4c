/* Small progressive enhancements; every page works without JavaScript. */
(function () {
  "use strict";

  // Captcha: click the picture or "点击获取" for a new one.
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-captcha-refresh]");
    if (!trigger) return;
    event.preventDefault();
    var row = trigger.closest(".captcha-row") || document;
    var url = trigger.getAttribute("data-captcha-refresh");
    fetch(url, { headers: { "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        // Refused (429, too many refreshes): the server's message says how long to wait.
        var note = row.querySelector("[data-captcha-note]");
        if (!data.key) {
          if (!note) {
            note = document.createElement("div");
            note.setAttribute("data-captcha-note", "");
            note.setAttribute("role", "alert");
            note.className = "small text-danger w-100";
            row.appendChild(note);
          }
          note.textContent = data.message || row.getAttribute("data-captcha-failed") || "获取验证码失败，请稍后再试。";
          return;
        }
        if (note) note.remove();
        var img = row.querySelector("img.captcha");
        var key = row.querySelector("input[name$='_0']");
        if (img) img.src = data.image_url;
        if (key) key.value = data.key;
        var answer = row.querySelector("input[name$='_1']");
        if (answer) { answer.value = ""; answer.focus(); }
        // The picture changed without a page load: say so to a screen reader.
        var announce = row.querySelector("[data-captcha-announce]");
        // The page gives the text in its language (data-captcha-announce); Chinese is the default.
        if (announce) announce.textContent = announce.getAttribute("data-captcha-announce") || "已换一张新的验证码图片，请输入图片中的字符。";
      });
  });

  // Error summary (GOV.UK pattern): focus it on load so it is read first; its links move the focus
  // into the field itself (following a #fragment only scrolls), with the field's label in view.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']") || field;
    label.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });

  // File pickers drawn in Chinese: show the chosen file's name beside the "选择文件" button.
  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-file-picker] input[type=file]");
    if (!input) return;
    var name = input.closest("[data-file-picker]").querySelector("[data-file-name]");
    if (name) name.textContent = input.files.length ? input.files[0].name : (name.getAttribute("data-file-none") || "未选择文件");
  });

  // Irreversible actions (cancel a right, withdraw a request) ask once before they are posted.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });

  // Session warning two minutes before the server logs the user out (the page is given the
  // seconds left; 继续办理 renews the session and answers with the new figure).
  var modalEl = document.getElementById("session-warning");
  if (modalEl && window.bootstrap) {
    var ageMs = parseInt(modalEl.dataset.sessionAge, 10) * 1000;
    var warnBeforeMs = 120 * 1000;
    // Leave for the login page only once the server has surely forgotten the session: a request
    // a moment before its end would renew it, and the "已自动退出" page would hide a live session.
    var graceMs = 5 * 1000;
    var modal = new bootstrap.Modal(modalEl, { backdrop: "static", keyboard: false });
    var countdownEl = modalEl.querySelector("[data-session-countdown]");
    var warnTimer, tick, deadline;
    var schedule = function () {
      clearTimeout(warnTimer); clearInterval(tick);
      deadline = Date.now() + ageMs;
      var update = function () {
        var msLeft = deadline - Date.now();
        var left = Math.max(0, Math.ceil(msLeft / 1000));
        var minutes = Math.floor(left / 60), seconds = String(left % 60).padStart(2, "0");
        countdownEl.textContent = document.documentElement.lang === "en"
          ? minutes + " min " + seconds + " s" : minutes + "分" + seconds + "秒";
        if (msLeft <= -graceMs) { clearInterval(tick); window.location = modalEl.dataset.loginUrl + "?timeout=1&next=" + encodeURIComponent(location.pathname); }
      };
      warnTimer = setTimeout(function () {
        update();
        modal.show();
        tick = setInterval(update, 1000);
      }, Math.max(0, ageMs - warnBeforeMs));
    };
    modalEl.querySelector("[data-session-keepalive]").addEventListener("click", function () {
      fetch(modalEl.dataset.keepaliveUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) { ageMs = data.seconds_left * 1000; modal.hide(); schedule(); });
    });
    schedule();
  }
})();
