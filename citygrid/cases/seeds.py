"""GB/T 30428.2-style component and event classes every deployment starts with.

Major-class names follow the standard; codes and minor classes are implementation practice and
editable (standards §5.3): local standards override them.
"""

import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "categories.json"

REGISTER = "位于公共区域、属于本类问题、现场照片清晰可辨"
CLOSING = "问题已按要求处置，现场核查照片与处置反馈一致"


# The words citizens use for a class, (kind, code) → space-separated words: what the report
# forms' class search matches besides the names (`CaseCategory.keywords`, editable).
KEYWORDS: dict[tuple[str, str], str] = {
    ("component", "01"): "井盖 设施",
    ("component", "0111"): "路灯不亮 灯不亮 路灯坏了 路灯闪 黑灯 没有灯",
    ("component", "0112"): "消火栓 消防栓漏水",
    ("component", "0204"): "红绿灯 红绿灯坏了 信号灯不亮",
    ("component", "0205"): "栏杆 护栏坏了",
    ("component", "0206"): "坑 坑洼 坑洞 路面坑 路面破了 路坏了 路面破损 马路坏了",
    ("component", "0207"): "人行道坏了 地砖 砖松了 翘砖",
    ("component", "03"): "环境卫生 卫生",
    ("component", "0301"): "厕所 公厕",
    ("component", "0302"): "垃圾桶 垃圾桶满了 垃圾桶坏了",
    ("component", "0303"): "垃圾房 垃圾站",
    ("component", "0305"): "垃圾桶",
    ("component", "0401"): "树倒了 断枝 树枝 树木",
    ("component", "0502"): "危楼 房子裂了",
    ("component", "0601"): "健身器材坏了",
    ("event", "01"): "环境卫生 卫生 脏乱差 脏",
    ("event", "0101"): "违建 违章建筑 乱搭",
    ("event", "0102"): "垃圾 乱扔垃圾 垃圾没人清 垃圾堆",
    ("event", "0103"): "垃圾 建筑垃圾 渣土",
    ("event", "0104"): "路脏 马路脏",
    ("event", "0105"): "河水脏 河里垃圾 水脏 臭水",
    ("event", "0107"): "旧家具 旧沙发",
    ("event", "0108"): "油烟 烟味",
    ("event", "0201"): "小广告 牛皮癣 乱贴",
    ("event", "0301"): "噪音 噪声 太吵 半夜施工",
    ("event", "0302"): "扬尘 灰尘大 灰大",
    ("event", "0401"): "塌陷 塌了 路面塌了 大坑",
    ("event", "0402"): "水管爆了 水管破了 漏水",
    ("event", "0403"): "燃气泄漏 煤气味 漏气",
    ("event", "0404"): "下水道 下水道堵了 冒水 返水",
    ("event", "0405"): "积水 淹水 水淹",
    ("event", "0406"): "着火 失火 起火",
    ("event", "0501"): "摆摊 小贩 流动摊贩 游商",
    ("event", "0502"): "占道经营 店外摆放",
    ("event", "0504"): "乱停车 违停 违章停车 堵车位",
    ("event", "0505"): "电动车乱停 共享单车 自行车乱停",
    ("event", "0506"): "烧烤 烤串",
    ("event", "0507"): "乱堆放 杂物",
}


def seed_categories(category_model) -> None:
    """Idempotent; takes the model so the data migration can pass its historical one."""
    for major in json.loads(FIXTURE.read_text(encoding="utf-8")):
        parent, _ = category_model.objects.get_or_create(
            kind=major["kind"], code=major["code"], defaults={"name": major["name"]}
        )
        for code, name in major["minors"]:
            category_model.objects.get_or_create(
                kind=major["kind"],
                code=code,
                defaults={
                    "name": name,
                    "parent": parent,
                    "register_criteria": REGISTER,
                    "closing_criteria": CLOSING,
                },
            )


def seed_keywords(category_model) -> None:
    """Idempotent: fills only empty `keywords`, so an administrator's words are kept."""
    for (kind, code), words in KEYWORDS.items():
        category_model.objects.filter(kind=kind, code=code, keywords="").update(keywords=words)
