"""Attachments are private: stored under unguessable names, served only to readers of the topic."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from citygrid.exchange.models import Attachment, Topic
from citygrid.exchange.tests.conftest import READ

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def _post_with_files(client, region, *uploads):
    return client.post(
        reverse("exchange:topic_add", args=[region.code]),
        {"title": "带附件的主题", "body": "见附件", "attachments": list(uploads)},
    )


def test_topic_with_an_image_and_a_document(client, tree, poster, make_user):
    author = poster(tree.community_a)
    client.force_login(author)
    response = _post_with_files(
        client,
        tree.community_a,
        SimpleUploadedFile("张三现场照片.png", _png(), "image/png"),
        SimpleUploadedFile("会议纪要.pdf", PDF, "application/pdf"),
    )
    topic = Topic.objects.get()
    assert response.url == topic.get_absolute_url()
    image, document = topic.attachments.order_by("id")
    assert (image.name, image.is_image) == ("张三现场照片.jpg", True)
    assert (document.name, document.is_image, document.size) == ("会议纪要.pdf", False, len(PDF))
    # The stored name says nothing of the original one.
    assert "张三" not in image.file.name and image.file.name.startswith("exchange/")
    assert image.file.url.startswith("/files/exchange/")
    page = client.get(topic.get_absolute_url()).text
    assert image.file.url in page and "会议纪要.pdf" in page
    served = client.get(document.file.url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF


def test_files_are_refused_outside_the_topics_scope(client, tree, poster, make_user):
    client.force_login(poster(tree.community_a))
    _post_with_files(client, tree.community_a, SimpleUploadedFile("纪要.pdf", PDF))
    url = Attachment.objects.get().file.url
    client.force_login(make_user(perms=READ, scope=[tree.county_b]))
    assert client.get(url).status_code == 404
    client.force_login(make_user(scope=[tree.county_a]))
    assert client.get(url).status_code == 404
    client.force_login(make_user(perms=READ, scope=[tree.township_a]))
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_bad_files_are_refused_in_chinese_and_nothing_is_written(client, tree, poster):
    client.force_login(poster(tree.community_a))
    cases = [
        (SimpleUploadedFile("工具.exe", b"MZ\x90\x00"), "不支持的文件类型“.exe”"),
        (SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00rest"), "文件内容与扩展名“.pdf”不符"),
        (SimpleUploadedFile("坏图.png", b"not an image"), "文件不是有效的图片"),
    ]
    for upload, error in cases:
        response = _post_with_files(client, tree.community_a, upload)
        assert response.status_code == 200
        assert any(error in e for e in response.context["form"].errors["attachments"])
    too_many = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(6)]
    response = _post_with_files(client, tree.community_a, *too_many)
    assert response.context["form"].errors["attachments"] == ["每次最多上传 5 个附件"]
    assert not Topic.objects.exists() and not Attachment.objects.exists()


def test_reply_attachment_belongs_to_the_reply(client, tree, post, poster):
    topic = post(tree.community_a)
    client.force_login(poster(tree.community_a))
    client.post(
        reverse("exchange:reply_add", args=[topic.pk]),
        {"body": "补充材料", "attachments": [SimpleUploadedFile("补充.pdf", PDF)]},
    )
    attachment = Attachment.objects.get()
    assert attachment.topic == topic and attachment.reply == topic.replies.get()
    page = client.get(topic.get_absolute_url())
    assert list(page.context["attachments"]) == []
    assert "补充.pdf" in page.text
