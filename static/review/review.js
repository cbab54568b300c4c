/* Attachment viewer: the picture opens at full size inside the page; without JS the link opens it. */
(function () {
  "use strict";
  var modal = document.getElementById("attachment-viewer");
  if (!modal) return;
  modal.addEventListener("show.bs.modal", function (event) {
    var link = event.relatedTarget;
    if (!link) return;
    var img = modal.querySelector("[data-viewer-image]");
    img.src = link.getAttribute("data-viewer-src");
    img.alt = link.getAttribute("data-viewer-title");
    modal.querySelector(".modal-title").textContent = link.getAttribute("data-viewer-title");
  });
  modal.addEventListener("hidden.bs.modal", function () {
    modal.querySelector("[data-viewer-image]").removeAttribute("src");
  });
})();
