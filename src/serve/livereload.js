// polis serve: live reload. Injected into HTML pages by `polis serve` only; a
// built site never contains it.
(() => {
  "use strict";
  const scrollKey = "polis-scroll:" + location.pathname;

  // Come back to where the reader was before the reload.
  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const [x, y] = JSON.parse(saved);
    const restore = () => window.scrollTo(x, y);
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore, { once: true });
  }

  // The output file this page was served from: `/en/live/` → `/en/live/index.html`.
  const ownPath = () => {
    let p = decodeURIComponent(location.pathname);
    if (p.endsWith("/")) p += "index.html";
    return p;
  };

  const reload = () => {
    sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  };

  // A changed stylesheet is swapped in place: no reload, no lost state.
  const swapStyles = (changed) => {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      if (!changed.includes(decodeURIComponent(url.pathname))) continue;
      url.searchParams.set("polis-reload", String(Date.now()));
      const next = link.cloneNode();
      next.href = url.href;
      next.addEventListener("load", () => link.remove(), { once: true });
      next.addEventListener("error", () => link.remove(), { once: true });
      link.after(next);
    }
  };

  const OVERLAY_ID = "polis-error-overlay";
  const hideOverlay = () => document.getElementById(OVERLAY_ID)?.remove();
  const showOverlay = (diagnostics) => {
    hideOverlay();
    const box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.style.cssText =
      "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "background:#1b1b1b;color:#f5f5f5;border-top:4px solid #e5484d;padding:1rem 1.25rem;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left";
    const title = document.createElement("strong");
    title.textContent =
      "polis: the last change has " + diagnostics.length +
      (diagnostics.length === 1 ? " error" : " errors") +
      ". This page is the last good build; it updates when the problem is fixed.";
    title.style.cssText = "display:block;margin-bottom:.5rem;color:#ffb4b4";
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.style.cssText =
      "float:right;margin-left:1rem;font:inherit;color:inherit;background:#333;" +
      "border:1px solid #777;border-radius:4px;padding:.1rem .6rem;cursor:pointer";
    close.addEventListener("click", hideOverlay);
    box.append(close, title);
    for (const d of diagnostics) {
      const pre = document.createElement("pre");
      pre.style.cssText = "margin:.5rem 0;white-space:pre-wrap;color:inherit;background:none";
      pre.textContent = d.text;
      box.append(pre);
    }
    document.body.append(box);
  };

  const events = new EventSource("/__polis/events");
  events.addEventListener("reload", (e) => {
    const { changed } = JSON.parse(e.data);
    if (changed.includes(ownPath())) {
      reload();
      return;
    }
    swapStyles(changed.filter((p) => p.endsWith(".css")));
  });
  events.addEventListener("build-error", (e) => showOverlay(JSON.parse(e.data).diagnostics));
  events.addEventListener("build-ok", hideOverlay);
})();
