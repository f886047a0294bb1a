// Progressive enhancement only: every page works without this file.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// A report's (or a file's) progress page: without JavaScript it has a "Check progress"
// link; with it,
// the status block is fetched again every couple of seconds and swapped in place, and a
// polite live region says when the status changes (not every percentage).
// A file's progress page reached when the file is already ready: go to it at once.
const ready = document.querySelector("[data-procure-ready]");
if (ready) window.location.assign(ready.dataset.procureReady);

const status = document.querySelector("[data-procure-poll]");
const announce = document.querySelector("[data-procure-announce]");
if (status) {
  const wait = Number(status.dataset.procurePoll) || 2000;
  const poll = async () => {
    let next = wait;
    try {
      const url = status.dataset.procurePollUrl || window.location.href;
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById(status.id);
        if (fresh) {
          if (announce && fresh.dataset.procureStatus !== status.dataset.procureStatus) {
            announce.textContent = `Report status: ${fresh.dataset.procureStatus}`;
          }
          status.replaceChildren(...fresh.childNodes);
          status.dataset.procureStatus = fresh.dataset.procureStatus;
          // A file being prepared: once it is ready, go to it (the download starts).
          if (fresh.dataset.procureReady) {
            window.location.assign(fresh.dataset.procureReady);
            return;
          }
          if (!("procurePoll" in fresh.dataset)) return;
        }
      } else {
        next = wait * 3;
      }
    } catch {
      next = wait * 3;
    }
    window.setTimeout(poll, next);
  };
  window.setTimeout(poll, wait);
}

// A wide table in a narrow window scrolls inside its own box: make that box a named,
// focusable region so keyboard users can scroll it too (only while it overflows, so
// tables that fit add no extra tab stop).
const scrollers = document.querySelectorAll(".procure-table-scroll");
const markScrollable = () => {
  for (const box of scrollers) {
    if (box.scrollWidth > box.clientWidth + 1) {
      const caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
    } else if (box.getAttribute("tabindex") === "0") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
};
if (scrollers.length) {
  markScrollable();
  window.addEventListener("resize", markScrollable);
}
