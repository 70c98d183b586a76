// Videos from YouTube and Vimeo load nothing from those sites until the reader
// asks: the page shows a local poster and a button, and only the click puts the
// player (with autoplay) in its place. Without JavaScript the button stays
// hidden and the link to the video's own page is the way to watch.
(function () {
  "use strict";
  var frames = document.querySelectorAll(".video-frame[data-video-embed]");
  Array.prototype.forEach.call(frames, function (frame) {
    var button = frame.querySelector(".video-play");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var iframe = document.createElement("iframe");
      iframe.src = frame.getAttribute("data-video-embed");
      iframe.title = frame.getAttribute("data-video-title") || "";
      iframe.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
      iframe.setAttribute("allowfullscreen", "");
      iframe.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      frame.textContent = "";
      frame.appendChild(iframe);
      frame.classList.add("video-playing");
      iframe.focus();
    });
  });
})();
