/* 人才引进申办系统: small enhancements; every page works without them. */
(function () {
  "use strict";

  // 引进人才类别: show the chosen category's 具体类别 only, and the 申报条件 summary.
  var categoryForm = document.querySelector("[data-category-form]");
  if (categoryForm) {
    var summary = categoryForm.querySelector("[data-conditions-summary]");
    var prompt = categoryForm.querySelector("[data-category-prompt]");
    var refresh = function () {
      var chosen = categoryForm.querySelector("[data-category-radio]:checked");
      categoryForm.querySelectorAll("[data-category-group]").forEach(function (group) {
        var show = chosen && group.getAttribute("data-category-group") === chosen.value;
        group.hidden = !show;
        if (!show) {
          group.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = false; });
        }
      });
      if (prompt) prompt.hidden = !!chosen;
      var sub = categoryForm.querySelector("input[name=subcategory]:checked");
      // Over the 具体类别's age limit: say so the moment it is chosen (the text is the server's rule).
      var refusal = categoryForm.querySelector("[data-age-refusal-banner]");
      if (refusal) {
        var message = sub ? sub.getAttribute("data-age-refusal") : null;
        refusal.hidden = !message;
        refusal.textContent = message || "";
      }
      if (summary) {
        summary.hidden = !(chosen && sub);
        if (chosen) summary.querySelector("[data-summary-category]").textContent = chosen.getAttribute("data-label");
        if (sub) summary.querySelector("[data-summary-sub]").textContent = sub.getAttribute("data-label");
      }
    };
    categoryForm.addEventListener("change", refresh);
  }

  // 毕业学校 and 专业 are required with a 学历 (the form says which 学历 need none): move their *.
  var education = document.querySelector("[data-school-required-unless]");
  if (education) {
    var without = education.getAttribute("data-school-required-unless").split("|");
    var markSchoolFields = function () {
      var required = without.indexOf(education.value) === -1;
      document.querySelectorAll("[data-school-field]").forEach(function (input) {
        var label = document.querySelector("label[for='" + input.id + "']");
        if (!label) return;
        var mark = label.querySelector(".asteriskField");
        if (required && !mark) {
          mark = document.createElement("span");
          mark.className = "asteriskField";
          mark.textContent = "*";
          label.appendChild(mark);
        } else if (!required && mark) {
          mark.remove();
        }
        input.required = required;
      });
    };
    education.addEventListener("change", markSchoolFields);
  }

  // 迁入单位: Enter in the search box searches instead of moving on.
  var query = document.querySelector("[data-employer-query]");
  if (query) {
    query.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        document.querySelector("[data-employer-search]").click();
      }
    });
  }

  // 附件上传 after a refused file: the row with its message in the middle of the screen (the
  // #kind- anchor alone can leave it at the bottom edge of a phone once the page has laid out).
  var refusedRow = document.querySelector("[data-refused-row]");
  if (refusedRow) refusedRow.scrollIntoView({ block: "center" });

  // 附件上传: show the chosen file's name next to 浏览...
  document.querySelectorAll("[data-file-input]").forEach(function (input) {
    input.addEventListener("change", function () {
      var label = input.closest("form").querySelector("[data-file-name]");
      if (label) label.textContent = input.files.length ? input.files[0].name : (label.getAttribute("data-file-none") || "未选择文件");
    });
  });
})();
