"""Fixtures for the portal: a reportable class, photos, and a client that can post reports."""

import io
import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg(name: str = "photo.jpg", size=(40, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; every test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def category(tree):
    from citygrid.cases.testing import street_order_class

    return street_order_class("0508", "占道施工")


@pytest.fixture
def report_data(category):
    """report_data(**overrides) → POST data for the portal's report form (position in grid A1)."""

    def make(**overrides):
        data = {
            "category": category.pk,
            "description": "人行道上堆放建材",
            "lng": "120.005",
            "lat": "30.005",
            "address": "甲社区1号",
            "reporter_name": "张小明",
            "reporter_phone": "13812345678",
            "token": uuid.uuid4().hex,
            "photos": [jpeg()],
        }
        data.update(overrides)
        return data

    return make
