// What the pages need beyond HTMX, here rather than inline: the Content-Security-Policy runs only this site's files.
"use strict";

// Enter on a highlighted passage opens its claim, as a click does (HTMX's trigger filters would need eval).
document.addEventListener("keyup", (event) => {
  if (event.key === "Enter" && event.target.matches("mark[data-claim]")) {
    event.target.click();
  }
});

// "Back" on an error page goes back when there is somewhere to go, else follows its link.
document.addEventListener("click", (event) => {
  const back = event.target.closest("a[data-back]");
  if (back && history.length > 1) {
    event.preventDefault();
    history.back();
  }
});
