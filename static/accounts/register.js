/* 检测登录帐号 without leaving the page: the same POST as the no-JavaScript button, answered in JSON. */
(function () {
  "use strict";
  var form = document.querySelector("[data-register-form]");
  if (!form) return;
  var button = form.querySelector("[data-username-check]");
  var result = document.getElementById("username-check-result");
  if (!button || !result || !window.fetch) return;

  button.addEventListener("click", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    data.set("action", "check_username");
    button.disabled = true;
    result.className = "check-result";
    result.textContent = result.getAttribute("data-checking") || "正在检测…";
    // form.action would be the buttons named "action", not the attribute.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" }
    })
      .then(function (response) { return response.json(); })
      .then(function (payload) {
        result.textContent = payload.message;
        result.className = "check-result " + (payload.ok ? "is-ok" : "is-bad");
        var row = document.getElementById("div_id_check_captcha");
        if (payload.captcha && row) {
          var img = row.querySelector("img.captcha");
          var key = row.querySelector("input[name='check_captcha_0']");
          var answer = row.querySelector("input[name='check_captcha_1']");
          if (img) img.src = payload.captcha.image_url;
          if (key) key.value = payload.captcha.key;
          if (answer) answer.value = "";
        }
      })
      .catch(function () {
        result.textContent = result.getAttribute("data-check-failed") || "检测失败，请检查网络后重试。";
        result.className = "check-result is-bad";
      })
      .then(function () { button.disabled = false; });
  });
})();
