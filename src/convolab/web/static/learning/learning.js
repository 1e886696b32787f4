// The learning page: the notebook button opens a read-only view of the notebook in the page
// (fetched from /api/learning/notebook), with a download link. Without JavaScript the button
// simply goes to the notebook's own page.
import { getJSON } from "/static/common/api.js";
import { t } from "/static/common/i18n.js";

function notebookLinks(article) {
  const target = article.dataset.notebookUrl;
  return [...article.querySelectorAll(".lo-body a[href]")].filter(
    (a) => a.getAttribute("href") === target,
  );
}

async function load(view, api) {
  const status = view.querySelector(".notebook-status");
  const body = view.querySelector(".notebook-body");
  if (view.dataset.loaded === "1") return;
  status.className = "message info notebook-status";
  status.textContent = t("learning.notebook_loading");
  try {
    const data = await getJSON(api);
    body.innerHTML = data.html; // rendered and sanitised on the server
    view.querySelector(".notebook-download-link").href = data.download_url;
    view.dataset.loaded = "1";
    status.textContent = "";
  } catch (err) {
    status.className = "message error notebook-status";
    status.textContent = err.message;
  }
}

function setOpen(view, links, open) {
  view.hidden = !open;
  for (const a of links) a.setAttribute("aria-expanded", String(open));
}

function init() {
  const article = document.querySelector("article.learning-object");
  const view = document.getElementById("notebook-view");
  if (!article || !view) return;
  const links = notebookLinks(article);
  if (!links.length) return;
  // show the view right below the button, where the seed's notebook link was
  const anchor = links[0].closest("p") || links[0];
  const after = anchor.nextElementSibling?.classList.contains("notebook-download")
    ? anchor.nextElementSibling
    : anchor;
  after.after(view);
  for (const a of links) {
    a.setAttribute("aria-controls", view.id);
    a.setAttribute("aria-expanded", "false");
    a.addEventListener("click", (event) => {
      event.preventDefault();
      const open = view.hidden;
      setOpen(view, links, open);
      if (open) {
        view.querySelector("h2").focus();
        load(view, article.dataset.notebookApi);
      }
    });
  }
  view.querySelector(".notebook-close").addEventListener("click", () => {
    setOpen(view, links, false);
    links[0].focus();
  });
}

/**
 * The tools embedded in the lesson (our own pages, same origin) keep their 720 x 800 frame
 * where it fits. Where the screen is narrower (a phone), the tool stacks its parts and the
 * frame grows with it, so nothing scrolls inside a page inside a page.
 */
function fitFrames() {
  for (const frame of document.querySelectorAll(".lo-body iframe")) {
    let doc;
    try {
      doc = frame.contentDocument;
    } catch {
      continue; // another site: leave its frame as it is
    }
    if (!doc || !doc.documentElement) continue;
    const fit = () => {
      // the frame's document now: a frame that navigated has left the old one behind
      let cur;
      try {
        cur = frame.contentDocument;
      } catch {
        return;
      }
      if (!cur || !cur.defaultView || !cur.documentElement) return;
      const width = parseInt(frame.getAttribute("width"), 10) || 720;
      if (frame.getBoundingClientRect().width >= width - 1) {
        frame.style.height = "";
        frame.classList.remove("grown");
        return;
      }
      // the height of the tool itself (not of the frame's viewport, which it fills)
      const parts = [cur.querySelector("main"), cur.querySelector(".embed-open")].filter(Boolean);
      if (!parts.length) return;
      const bottom = Math.max(...parts.map((el) => el.getBoundingClientRect().bottom));
      frame.style.height = `${Math.ceil(bottom + cur.defaultView.scrollY) + 4}px`;
      frame.classList.add("grown");
    };
    if (!frame.dataset.fitting) {
      frame.dataset.fitting = "1";
      new ResizeObserver(fit).observe(doc.documentElement);
    }
    if (!frame.dataset.resizeHooked) {
      frame.dataset.resizeHooked = "1"; // one window listener per frame, whatever it loads
      window.addEventListener("resize", fit);
    }
    fit();
  }
}

function watchFrames() {
  for (const frame of document.querySelectorAll(".lo-body iframe")) {
    frame.addEventListener("load", () => {
      delete frame.dataset.fitting;
      fitFrames();
    });
  }
  fitFrames();
}

init();
watchFrames();
