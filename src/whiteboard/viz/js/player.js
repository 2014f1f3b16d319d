// The static frame player (whiteboard.viz.players): previous, play/pause, next and a slider
// over frames that Python rendered once; the frames and captions are the root's JSON data.
function wbPlayerSetup(root) {
  var data = JSON.parse(root.querySelector(".wb-player-data").textContent);
  var srcs = data.frames, caps = data.captions;
  var img = root.querySelector(".wb-frame"), cap = root.querySelector(".wb-caption");
  var slider = root.querySelector(".wb-slider"), playBtn = root.querySelector(".wb-play");
  var t = 0, timer = null;
  function show(k) {
    t = Math.max(0, Math.min(srcs.length - 1, k));
    img.src = srcs[t]; cap.textContent = caps[t]; slider.value = t;
    root.dataset.frame = t;
  }
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    playBtn.innerHTML = "&#9654; play";
  }
  root.querySelector(".wb-prev").onclick = function () { stop(); show(t - 1); };
  root.querySelector(".wb-next").onclick = function () { stop(); show(t + 1); };
  slider.oninput = function () { stop(); show(parseInt(slider.value, 10)); };
  playBtn.onclick = function () {
    if (timer) { stop(); return; }
    if (t >= srcs.length - 1) { show(0); }
    playBtn.innerHTML = "&#10074;&#10074; pause";
    timer = setInterval(function () {
      if (t >= srcs.length - 1) { stop(); return; }
      show(t + 1);
    }, data.interval);
  };
  show(0);
}
