// Every in-page view (playground, trainer, player, quiz) starts the same way: its script sits
// inside its root element, and the same output may be on a page twice (a notebook front end
// can show a cell's output again), so each root with this view's data-uid starts once.
function wbBoot(cls, uid, setup) {
  function start(root) {
    if (!root || root.hasAttribute("data-ready")) { return; }
    root.setAttribute("data-ready", "1");
    setup(root);
  }
  var me = document.currentScript;
  start(me && me.closest ? me.closest("." + cls) : null);
  var roots = document.querySelectorAll("." + cls + "[data-uid=\"" + uid + "\"]");
  for (var k = 0; k < roots.length; k++) { start(roots[k]); }
}
