// Progressive enhancement only: every page works without this file.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// A report's progress page: without JavaScript it has a "Check progress" link; with it,
// the status block is fetched again every couple of seconds and swapped in place, and a
// polite live region says when the status changes (not every percentage).
const status = document.querySelector("[data-procure-poll]");
const announce = document.querySelector("[data-procure-announce]");
if (status) {
  const wait = Number(status.dataset.procurePoll) || 2000;
  const poll = async () => {
    let next = wait;
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById(status.id);
        if (fresh) {
          if (announce && fresh.dataset.procureStatus !== status.dataset.procureStatus) {
            announce.textContent = `Report status: ${fresh.dataset.procureStatus}`;
          }
          status.replaceChildren(...fresh.childNodes);
          status.dataset.procureStatus = fresh.dataset.procureStatus;
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
