/* Task pages of the grid app: answer a 核查任务 (/m/tasks/<id>/answer/) and set myself a patrol
   task (/m/tasks/new/). Both go through the outbox (queue.js) like every other upload, so a
   lost network keeps the item and a retry never acts twice. */
(function () {
  "use strict";
  var Q = window.CityGridQueue;
  function $(selector) { return document.querySelector(selector); }

  function submit(kind, label, form, fields, done, out) {
    return Q.enqueue(kind, label, form.dataset.url, fields, []).then(function (key) {
      out.hidden = false;
      out.className = "alert alert-info";
      out.textContent = "已保存到待上传队列。";
      return Q.flush().then(function (answers) {
        var answer = answers[key];
        if (answer && !answer.error) {
          out.className = "alert alert-success";
          out.textContent = done(answer);
          form.querySelector("button[type=submit]").disabled = true;
        } else if (answer && answer.status && answer.status < 500 && answer.status !== 401) {
          out.className = "alert alert-danger";
          out.textContent = answer.error + "（已留在待上传队列，可修改后重新提交）";
        } else {
          out.className = "alert alert-warning";
          out.textContent = navigator.onLine ? "暂时无法连接服务器，已保存到待上传队列，稍后自动上传。"
            : "当前无网络，已保存到待上传队列，联网后自动上传。";
        }
      });
    });
  }

  var answerForm = $("#answer-form");
  if (answerForm) {
    answerForm.addEventListener("change", function () { $("#answer-error").textContent = ""; });
    answerForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = answerForm.querySelector("input[name=outcome]:checked");
      var note = $("#answer-note").value.trim();
      var corrections = $("#answer-corrections").value.trim();
      var error = !chosen ? "请选择核查结论"
        : chosen.value === "incorrect" && !note && !corrections ? "信息有误时请写明错误之处或正确信息" : "";
      $("#answer-error").textContent = error;
      if (error) return;
      submit("answer", "核查：" + answerForm.dataset.title, answerForm,
        { outcome: chosen.value, note: note, corrections: corrections },
        function (answer) { return "核查结论已提交：" + answer.outcome_label; }, $("#answer-result"));
    });
  }

  var patrolForm = $("#new-patrol-form");
  if (patrolForm) {
    patrolForm.addEventListener("input", function () { $("#new-patrol-error").textContent = ""; });
    patrolForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var title = $("#patrol-title").value.trim();
      $("#new-patrol-error").textContent = title ? "" : "请填写任务标题";
      if (!title) return;
      submit("own_patrol", "新建巡查：" + title, patrolForm, {
        grid: $("#patrol-grid").value,
        title: title,
        end_date: $("#patrol-end").value,
        frequency: $("#patrol-frequency").value.trim(),
        instructions: $("#patrol-instructions").value.trim()
      }, function () { return "巡查任务已新建，可在首页“我的任务”中查看"; }, $("#new-patrol-result"));
    });
  }
})();
