"""Board pages: my boards, one board's notices and topics, a topic with its replies. The rules
live in `actions`; these views turn their refusals (`ActionError`) into messages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import IntegerField, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from citygrid.core.errors import ActionError, RecordNotFound
from citygrid.core.listing import paginate
from citygrid.exchange import actions
from citygrid.exchange.forms import ReplyForm, TopicForm
from citygrid.exchange.models import BOARD_LEVELS, Board, Reply, Topic
from citygrid.regions.models import Region

BOARDS_PER_PAGE = 30
TOPICS_PER_PAGE = 20
REPLIES_PER_PAGE = 30


def _require_reader(user) -> None:
    if not (user.has_perm("exchange.view_board") and user.has_perm("exchange.view_topic")):
        raise PermissionDenied


def _region(user, code: str) -> Region:
    try:
        return actions.board_region(user, code)
    except RecordNotFound as exc:
        raise Http404 from exc


def _topic(user, pk: int) -> Topic:
    topic = (
        Topic.objects.restrict(user, "view")
        .select_related("board", "region", "author")
        .filter(pk=pk)
        .first()
    )
    if topic is None:
        raise Http404
    return topic


@login_required
def index(request):
    """The boards of my territory in tree order, with their counters (kept in SQL)."""
    _require_reader(request.user)
    boards = Board.objects.filter(region=OuterRef("pk"))
    regions = (
        Region.objects.in_scope(request.user)
        .filter(level__in=BOARD_LEVELS)
        .annotate(
            topic_count=Subquery(boards.values("topic_count")[:1], output_field=IntegerField()),
            last_activity_at=Subquery(boards.values("last_activity_at")[:1]),
        )
        .order_by("code")
    )
    listing = paginate(request, regions, BOARDS_PER_PAGE)
    return render(request, "exchange/index.html", {"listing": listing, "page": listing.page})


@login_required
def board(request, code: str):
    """Pinned notices first, then topics by latest activity (sought by key, not OFFSET)."""
    _require_reader(request.user)
    region = _region(request.user, code)
    board = Board.objects.filter(region=region).first()
    topics = Topic.objects.restrict(request.user, "view").select_related("author")
    pinned, listing = [], None
    if board is not None:
        pinned = list(topics.filter(board=board, pinned=True))
        listing = paginate(request, topics.filter(board=board, pinned=False), TOPICS_PER_PAGE)
    return render(
        request,
        "exchange/board.html",
        {
            "region": region,
            "board": board,
            "pinned": pinned,
            "listing": listing,
            "page": listing.page if listing else None,
            "may_post": request.user.has_perm("exchange.add_topic"),
        },
    )


@login_required
def topic_add(request, code: str):
    _require_reader(request.user)
    region = _region(request.user, code)
    if not request.user.has_perm("exchange.add_topic"):
        raise PermissionDenied
    may_pin = actions.may_pin(request.user, region.code)
    form = TopicForm(request.POST or None, request.FILES or None, may_pin=may_pin)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = actions.post_topic(
                region,
                actor=request.user,
                title=data["title"],
                body=data["body"],
                pinned=data.get("pinned", False),
                uploads=data["attachments"],
            )
        except (ActionError, ValidationError) as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, "主题已发布")
            return redirect(topic)
    return render(
        request, "exchange/topic_form.html", {"form": form, "region": region, "topic": None}
    )


@login_required
def topic(request, pk: int):
    return _topic_page(request, _topic(request.user, pk), ReplyForm())


def _topic_page(request, topic: Topic, form: ReplyForm):
    replies = (
        Reply.objects.restrict(request.user, "view")
        .filter(topic=topic)
        .select_related("author")
        .prefetch_related("attachments")
    )
    listing = paginate(request, replies, REPLIES_PER_PAGE)
    user = request.user
    return render(
        request,
        "exchange/topic.html",
        {
            "topic": topic,
            "attachments": topic.attachments.filter(reply=None),
            "listing": listing,
            "page": listing.page,
            "form": form,
            "may_reply": user.has_perm("exchange.add_reply") and not topic.closed,
            "may_change": actions.may_change(user, topic, topic),
            "may_pin": actions.may_pin(user, topic.region_code),
            "may_moderate": actions.is_moderator(user, topic),
            "deletable": {r.pk for r in listing.page if actions.may_change(user, r, topic)},
        },
    )


@login_required
def topic_edit(request, pk: int):
    topic = _topic(request.user, pk)
    if not actions.may_change(request.user, topic, topic):
        raise PermissionDenied
    initial = {"title": topic.title, "body": topic.body}
    form = TopicForm(request.POST or None, initial=initial, with_files=False)
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_topic(
                topic,
                actor=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except (ActionError, ValidationError) as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, "主题已修改")
            return redirect(topic)
    return render(
        request, "exchange/topic_form.html", {"form": form, "region": topic.region, "topic": topic}
    )


@login_required
@require_POST
def reply_add(request, pk: int):
    topic = _topic(request.user, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            reply = actions.post_reply(
                topic,
                actor=request.user,
                body=form.cleaned_data["body"],
                uploads=form.cleaned_data["attachments"],
            )
        except (ActionError, ValidationError) as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, "回复已发表")
            return redirect(_reply_url(reply))
    return _topic_page(request, topic, form)


def _reply_url(reply: Reply) -> str:
    """The topic page ending with `reply`: sought from the reply a page's length before it."""
    previous = Reply.objects.filter(topic=reply.topic_id, pk__lt=reply.pk).order_by("-pk")
    pks = list(previous.values_list("pk", flat=True)[:REPLIES_PER_PAGE])
    query = f"?page=2&after={pks[-1]}" if len(pks) == REPLIES_PER_PAGE else ""
    return f"{reply.topic.get_absolute_url()}{query}#reply-{reply.pk}"


@login_required
@require_POST
def topic_pin(request, pk: int):
    topic = _topic(request.user, pk)
    pinned = request.POST.get("pinned") == "1"
    _act(
        request,
        lambda: actions.pin_topic(topic, actor=request.user, pinned=pinned),
        "已置顶" if pinned else "已取消置顶",
    )
    return redirect(topic)


@login_required
@require_POST
def topic_close(request, pk: int):
    topic = _topic(request.user, pk)
    closed = request.POST.get("closed") == "1"
    _act(
        request,
        lambda: actions.close_topic(topic, actor=request.user, closed=closed),
        "主题已关闭" if closed else "主题已重新开放",
    )
    return redirect(topic)


@login_required
@require_POST
def topic_delete(request, pk: int):
    topic = _topic(request.user, pk)
    if _act(request, lambda: actions.delete_topic(topic, actor=request.user), "主题已删除"):
        return redirect("exchange:board", topic.region_code)
    return redirect(topic)


@login_required
@require_POST
def reply_delete(request, pk: int):
    reply = (
        Reply.objects.restrict(request.user, "view")
        .select_related("topic__region")
        .filter(pk=pk)
        .first()
    )
    if reply is None:
        raise Http404
    _act(request, lambda: actions.delete_reply(reply, actor=request.user), "回复已删除")
    return redirect(reply.topic)


def _act(request, action, done: str) -> bool:
    try:
        action()
    except ActionError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
        return False
    messages.success(request, done)
    return True


def _refused(request, form, exc) -> None:
    if isinstance(exc, ValidationError):
        form.add_error(None, exc)
    else:
        messages.error(request, exc.message)
