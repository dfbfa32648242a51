/* File inputs drawn as a Chinese button (`data-file-picker`): say which files were chosen. */
(function () {
  document.querySelectorAll("[data-file-picker]").forEach(function (input) {
    var count = input.parentNode.querySelector("[data-file-count]");
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      count.textContent = names.length ? "已选 " + names.length + " 个：" + names.join("、") : "未选择文件";
    });
  });
})();
