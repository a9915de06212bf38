// A "copy" button beside a read-only field: shown only where the browser can copy, so
// without script the field itself (selectable) is all there is.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          var status = document.getElementById(field.id + "-status");
          if (status) status.textContent = button.getAttribute("data-copied");
        }, function () {
          field.select();
        });
      });
    });
  });
})();
