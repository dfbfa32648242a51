"""Requests built the way WeChat builds them, and a local fake image host."""

import base64
import io
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import xmltodict
from PIL import Image
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from citygrid.regions.geo.transforms import wgs84_to_gcj02

TOKEN = "citygrid-test-token"
APP_ID = "wx0123456789abcdef"
# EncodingAESKey: 43 characters, base64 of 32 bytes without the trailing "=".
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
ACCOUNT = "gh_0123456789ab"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
# A point of grid A1 (WGS-84 120.005, 30.005) as WeChat sends it: GCJ-02.
INSIDE = wgs84_to_gcj02(120.005, 30.005)
# Far from every test grid.
OUTSIDE = wgs84_to_gcj02(121.5, 31.2)
# Signature-only requests (URL verification) may carry any timestamp; messages carry the
# current one (`Messages.created`), since older ones fall outside the replay window.
TIMESTAMP = "1414243737"
NONCE = "1792106704"


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def wechat_settings(settings):
    settings.WECHAT_TOKEN = TOKEN
    settings.WECHAT_APP_ID = APP_ID
    settings.WECHAT_AES_KEY = AES_KEY
    settings.WECHAT_PORTAL_BASE_URL = "https://grid.example.gov.cn"
    settings.WECHAT_CATEGORIES = "event:0507,event:0508"
    settings.WECHAT_DEFAULT_CATEGORY = "event:0501"
    settings.WECHAT_IMAGE_HOSTS = "127.0.0.1"
    settings.WECHAT_IMAGE_MAX_BYTES = 100_000
    settings.WECHAT_IMAGE_TIMEOUT = 2.0
    return settings


@pytest.fixture
def classes(tree):
    from citygrid.cases.testing import street_order_class

    return {
        "0507": street_order_class("0507", "乱堆物堆料"),
        "0508": street_order_class("0508", "占道施工"),
        "0501": street_order_class("0501", "无照经营游商"),
    }


class Messages:
    """XML bodies exactly as the WeChat server posts them (明文模式)."""

    def __init__(self):
        self.next_id = 6_054_768_590_064_713_728
        # CreateTime and request timestamp; fixed per test so a retried event keeps its key.
        self.created = str(int(time.time()))

    def _wrap(self, openid: str, msg_type: str, body: str, msg_id: int | None) -> str:
        if msg_id is None:
            self.next_id += 1
            msg_id = self.next_id
        return (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{self.created}</CreateTime>"
            f"<MsgType><![CDATA[{msg_type}]]></MsgType>{body}"
            f"<MsgId>{msg_id}</MsgId></xml>"
        )

    def text(self, content, openid=OPENID, msg_id=None):
        return self._wrap(openid, "text", f"<Content><![CDATA[{content}]]></Content>", msg_id)

    def image(self, url, openid=OPENID, msg_id=None):
        body = f"<PicUrl><![CDATA[{url}]]></PicUrl><MediaId><![CDATA[media_1]]></MediaId>"
        return self._wrap(openid, "image", body, msg_id)

    def voice(self, recognition=None, openid=OPENID, msg_id=None):
        body = "<MediaId><![CDATA[media_v]]></MediaId><Format><![CDATA[amr]]></Format>"
        if recognition is not None:
            body += f"<Recognition><![CDATA[{recognition}]]></Recognition>"
        return self._wrap(openid, "voice", body, msg_id)

    def location(self, lng, lat, label="", openid=OPENID, msg_id=None):
        body = (
            f"<Location_X>{lat}</Location_X><Location_Y>{lng}</Location_Y>"
            f"<Scale>15</Scale><Label><![CDATA[{label}]]></Label>"
        )
        return self._wrap(openid, "location", body, msg_id)

    def video(self, openid=OPENID):
        body = "<MediaId><![CDATA[m]]></MediaId><ThumbMediaId><![CDATA[t]]></ThumbMediaId>"
        return self._wrap(openid, "video", body, None)

    def event(self, event, openid=OPENID):
        return (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{self.created}</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event></xml>"
        )


@dataclass
class WeChat:
    client: object
    msg: Messages

    def params(self, token=TOKEN) -> dict:
        return {
            "signature": sign(token, self.msg.created, NONCE),
            "timestamp": self.msg.created,
            "nonce": NONCE,
        }

    def post(self, xml: str, *, params=None):
        query = params or {**self.params(), "openid": OPENID}
        return self.client.post(
            "/wechat/?" + "&".join(f"{k}={v}" for k, v in query.items()),
            data=xml.encode(),
            content_type="text/xml",
        )

    def post_encrypted(self, xml: str, *, msg_signature=None):
        """安全模式: the body carries only ToUserName and Encrypt; msg_signature signs it."""
        crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
        sealed = xmltodict.parse(crypto.encrypt_message(xml, NONCE, self.msg.created))["xml"]
        body = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
        )
        params = {
            **self.params(),
            "openid": OPENID,
            "encrypt_type": "aes",
            "msg_signature": msg_signature or sealed["MsgSignature"],
        }
        return self.post(body, params=params)

    def say(self, xml: str) -> str:
        """Post a plain message and return the reply's text content."""
        response = self.post(xml)
        assert response.status_code == 200
        return reply_text(response)


def reply_text(response) -> str:
    body = response.content.decode()
    if body == "success":
        return ""
    return xmltodict.parse(body)["xml"]["Content"]


@pytest.fixture
def wx(client) -> WeChat:
    return WeChat(client=client, msg=Messages())


class _Images(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path == "/photo.jpg":
            self._send(200, jpeg_bytes())
        elif self.path == "/big.jpg":
            self._send(200, b"\xff" * 200_000)
        elif self.path == "/chunked.jpg":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"2000\r\n" + b"\xff" * 0x2000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/slow.jpg":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"\xff" * 100)
                self.wfile.flush()
                time.sleep(0.3)
        elif self.path == "/redirect.jpg":
            self.send_response(302)
            self.send_header("Location", "http://example.com/photo.jpg")
            self.end_headers()
        else:
            self._send(404, b"not found")

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_server():
    """A local stand-in for mmbiz.qpic.cn; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
