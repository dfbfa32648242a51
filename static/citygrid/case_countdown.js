/* Live countdowns to case step deadlines and task due times: "剩 1小时05分" / "超 2天3小时". */
(function () {
  "use strict";
  function span(ms) {
    var minutes = Math.floor(ms / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days > 0) { return days + "天" + hours + "小时"; }
    if (hours > 0) { return hours + "小时" + (mins < 10 ? "0" : "") + mins + "分"; }
    return mins + "分";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".case-countdown[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.dataset.deadline);
      if (isNaN(deadline)) { return; }
      var left = deadline - now;
      el.textContent = left >= 0 ? "剩 " + span(left) : "超 " + span(-left);
      el.classList.toggle("text-red", left < 0);
      el.title = "时限 " + new Date(deadline).toLocaleString("zh-CN");
    });
  }
  tick();
  window.setInterval(tick, 30000);
  // Rows put in by a script (the desk's new reports) count down at once too.
  document.addEventListener("citygrid:rows-added", tick);
})();
