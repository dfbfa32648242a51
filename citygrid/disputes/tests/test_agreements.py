"""The 调解协议书 PDF: Chinese text that pdftotext reads back (title, every party, the terms),
long terms running over pages, the conclude action storing it, and a clear refusal — nothing
changed — when the font is missing or cannot print Chinese."""

import os
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse

from citygrid.core.errors import ActionError
from citygrid.core.pdf import NO_LINE_START, break_lines
from citygrid.disputes import actions, agreements
from citygrid.disputes.intake import Party
from citygrid.disputes.models import MediationAgreement
from citygrid.disputes.tests.conftest import MONDAY_10
from citygrid.disputes.tests.test_workflow import mediating

# CI installs pdftotext (`make test-deps`): there its absence is a failure, never a skip.
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None and not os.environ.get("CI"),
    reason="pdftotext (Debian's poppler-utils) is not installed: run `make test-deps`",
)

PARTIES = [
    Party(
        side="applicant",
        name="张三丰",
        id_number="110101199003071233",
        phone="13900000001",
        address="甲社区3幢2单元101室",
    ),
    Party(side="applicant", name="欧阳秀英", phone="13900000003"),
    Party(
        side="respondent",
        name="杭州市某某物业服务有限公司",
        kind="organisation",
        id_number="91350100M000100Y43",
        address="甲街道文三路18号<h1>B座</h1>",
    ),
]
TERMS = (
    "一、被申请人于2026年3月20日前修复漏水管道。\n二、被申请人赔偿申请人墙面修复费用人民币3500元。"
)


def pdf_text(data: bytes) -> str:
    """The text a reader copies out of the PDF (pages separated by form feeds)."""
    assert data.startswith(b"%PDF-")
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode()


@needs_pdftotext
@pytest.mark.django_db
def test_the_agreement_prints_the_title_every_party_and_the_terms_in_chinese(setup, register):
    dispute = register(parties=PARTIES)
    document = agreements.render(dispute, TERMS)
    assert document.name == f"{dispute.number}.pdf"
    text = pdf_text(document.read())
    assert "人民调解协议书" in text
    assert f"编号：{dispute.number}" in text
    for party in PARTIES:
        assert party.name in text
    assert "申请人：张三丰（个人）" in text
    assert "身份证件号码：110101199003071233" in text
    assert "被申请人：杭州市某某物业服务有限公司（组织）" in text
    assert "统一社会信用代码：91350100M000100Y43" in text
    assert "联系电话：13900000003" in text
    # A value is printed as typed, never read as layout.
    assert "住址：甲街道文三路18号<h1>B座</h1>" in text
    assert "楼上漏水致楼下墙面受损" in text
    for line in TERMS.splitlines():
        assert line in text
    # One copy for each of the three parties and one kept by the committee.
    assert "本协议书一式4份" in text
    assert "欧阳秀英（签名、盖章或按指印）" in text
    assert "调解委员会（盖章）" in text


@needs_pdftotext
@pytest.mark.django_db
def test_long_terms_run_over_pages_and_the_last_line_is_printed(setup, register):
    dispute = register(parties=PARTIES)
    clauses = [
        f"{n}、被申请人应于每月五日前向申请人支付当月分期款项，逾期未付的，申请人有权就剩余款项一并主张。"
        for n in range(1, 61)
    ]
    text = pdf_text(agreements.render(dispute, "\n".join(clauses)).read())
    pages = text.split("\f")
    assert len([page for page in pages if page.strip()]) >= 3
    last_clause_page = next(i for i, page in enumerate(pages) if "60、被申请人" in page)
    assert last_clause_page >= 2
    assert "主张。" in pages[last_clause_page]
    assert f"第 1 页 共 {len([p for p in pages if p.strip()])} 页" in pages[0]
    # The signature block is never split: every line to sign on shares the committee's page.
    stamp_page = next(page for page in pages if "调解委员会（盖章）" in page)
    for party in PARTIES:
        assert f"{party.name}（签名" in stamp_page


@needs_pdftotext
@pytest.mark.django_db
def test_an_agreement_is_rendered_when_first_opened_and_kept(setup, register, client):
    dispute = mediating(setup, register)
    for day, mediators in ((1, "王调解、赵调解"), (2, "王调解")):
        actions.schedule_mediation(
            dispute,
            actor=setup.handler,
            starts_at=MONDAY_10 + timedelta(days=day),
            place="甲社区调解室",
            mediators=mediators,
            now=MONDAY_10,
        )
    dispute = actions.conclude_dispute(
        dispute,
        actor=setup.handler,
        outcome="resolved",
        note="双方达成协议",
        terms=TERMS,
        now=MONDAY_10 + timedelta(days=2, hours=2),
    )
    agreement = MediationAgreement.objects.get(dispute=dispute)
    assert agreement.terms == TERMS and not agreement.document  # not rendered yet
    client.force_login(setup.handler)
    response = client.get(reverse("disputes:dispute_agreement", args=[dispute.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    served = b"".join(response.streaming_content)
    agreement = MediationAgreement.objects.get(dispute=dispute)
    with agreement.document.open("rb") as stored:
        assert stored.read() == served  # kept: the next request serves the same file
    text = pdf_text(served)
    assert "申请人：张三（个人）" in text and "被申请人：李四（个人）" in text
    assert TERMS.splitlines()[1] in text
    assert "调解组织：甲街道司法所" in text
    # Each mediator once, in the order they first mediated, each with a line to sign on.
    assert "人民调解员：王调解、赵调解" in text
    assert "人民调解员 王调解（签名）" in text and "人民调解员 赵调解（签名）" in text
    assert "本协议书一式3份" in text
    assert "2026年3月4日" in text


@pytest.mark.django_db
def test_without_a_chinese_font_the_agreement_is_refused_and_nothing_is_stored(
    setup, register, settings, tmp_path, client
):
    dispute = mediating(setup, register)
    dispute = actions.conclude_dispute(
        dispute, actor=setup.handler, outcome="resolved", note="达成协议", terms=TERMS
    )
    agreement = MediationAgreement.objects.get(dispute=dispute)
    settings.CITYGRID_PDF_FONT = str(tmp_path / "absent.ttc")
    with pytest.raises(ActionError) as info:
        agreements.document(agreement, actor=setup.handler)
    assert info.value.code == "pdf_font_missing"
    assert "中文字体" in info.value.message
    assert not MediationAgreement.objects.get(pk=agreement.pk).document
    client.force_login(setup.handler)
    url = reverse("disputes:dispute_agreement", args=[dispute.pk])
    page = client.get(url, follow=True).content.decode()
    assert "未能生成调解协议书" in page and "中文字体" in page


@pytest.mark.django_db
def test_a_font_without_chinese_glyphs_is_refused_rather_than_printing_boxes(
    setup, register, settings, tmp_path
):
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    pen.moveTo((0, 0))
    pen.lineTo((0, 500))
    pen.lineTo((400, 0))
    pen.closePath()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({ord("A"): "A"})
    builder.setupGlyf({".notdef": pen.glyph(), "A": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "A": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "LatinOnly", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    latin = tmp_path / "latin.ttf"
    builder.save(str(latin))
    settings.CITYGRID_PDF_FONT = str(latin)
    with pytest.raises(ActionError) as info:
        agreements.render(register(), TERMS)
    assert info.value.code == "pdf_font_missing"


def test_chinese_lines_break_between_characters_but_not_before_closing_punctuation():
    # Every character one unit wide, three to a line.
    assert break_lines("甲乙丙，丁（戊）", len, 3, 3) == ["甲乙", "丙，丁", "（戊）"]
    # A number is never cut, and the space it was set off by does not start a line.
    assert break_lines("共计 1200 元整", len, 6, 6) == ["共计", "1200 元", "整"]
    # The first line may be narrower (the paragraph's indent).
    assert break_lines("甲乙丙丁戊己", len, 2, 4) == ["甲乙", "丙丁戊己"]
    # Only a token wider than a whole line is cut by character.
    assert break_lines("ABCDEFG", len, 3, 3) == ["ABC", "DEF", "G"]


def test_wrapped_lines_keep_every_character_and_fit():
    text = "经调解，双方当事人自愿达成如下协议：“被申请人赔偿3500元（含鉴定费）。”" * 4
    # From 4 on, a line holds the longest unbreakable run ("费）。”").
    for width in range(4, 30):
        lines = break_lines(text, len, width, width)
        assert "".join(lines) == text
        assert all(len(line) <= width for line in lines)
        assert not any(line[0] in NO_LINE_START for line in lines)
