// The print view's Print button (no inline script: the dashboard's CSP forbids it).
"use strict";
(function () {
  var button = document.getElementById("imprimer");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();
