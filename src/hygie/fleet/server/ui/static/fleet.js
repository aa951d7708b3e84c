// hygie fleet operator UI: the print button, and the join page's code read from the URL's
// fragment (#code=…: a fragment never reaches the server, so no log ever records the code).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll("[data-print]")) {
    b.addEventListener("click", () => window.print());
  }
  const target = document.querySelector("[data-join-code]");
  const match = /(?:^|[#&])code=([2-9A-Z-]{19})(?:&|$)/.exec(window.location.hash);
  if (target && match) {
    target.textContent = match[1];
  }
});
