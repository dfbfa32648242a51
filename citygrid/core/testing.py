"""Generic tests every record type inherits from data alone (NetBox-style).

Subclass `RecordTestCases` in a `Test...` class, set `model`, and provide the data hooks. Every
action is tried anonymous, without permission, permitted, and on a record outside the user's
scope (which must answer 404 and change nothing).
"""

import csv
import io
import threading

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse

from citygrid.core.models import AccessLog, ImportJob, ObjectChange

ALL_ACTIONS = ("view", "add", "change", "delete", "import", "export")


def logged(model, **values):
    """A record created through the one write path (with its change-log row), as project code
    would create it; plain `objects.create` in a test writes no history."""
    from citygrid.core import records

    return records.save_record(model(**values), actor=None)


def square(lng: float, lat: float, size: float = 0.01) -> dict:
    """A GeoJSON square grid boundary with its south-west corner at (lng, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
        ],
    }


def csv_bytes(rows: list[dict]) -> bytes:
    header = list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return ("\ufeff" + out.getvalue()).encode()


class RecordTestBase:
    """Hooks and helpers shared by the test mixins below."""

    model = None
    api_basename = ""
    # Attribute changed by `edit_data` and its new value, to assert the edit landed.
    edited_field: str = ""

    # --- hooks ------------------------------------------------------------------------------
    def scope(self, tree) -> list:
        """The regions a permitted user is scoped to (in_scope inside, out_of_scope outside)."""
        return [tree.county_a]

    def in_scope(self, tree):
        raise NotImplementedError

    def out_of_scope(self, tree):
        raise NotImplementedError

    def form_data(self, tree) -> dict:
        raise NotImplementedError

    def outside_form_data(self, tree) -> dict:
        """Valid data that would put the new record outside the user's scope."""
        raise NotImplementedError

    def edit_data(self, tree, obj) -> tuple[dict, object]:
        raise NotImplementedError

    def import_rows(self, tree) -> list[dict]:
        raise NotImplementedError

    def bad_import_rows(self, tree) -> tuple[list[dict], str]:
        """Rows where the last one is invalid, and the header of the column at fault."""
        raise NotImplementedError

    def api_data(self, tree) -> dict:
        raise NotImplementedError

    # --- helpers ----------------------------------------------------------------------------
    def perms(self, *actions: str) -> list[str]:
        meta = self.model._meta
        return [f"{meta.app_label}.{a}_{meta.model_name}" for a in actions]

    def url(self, suffix: str, obj=None) -> str:
        meta = self.model._meta
        args = [obj.pk] if obj is not None else []
        return reverse(f"{meta.app_label}:{meta.model_name}{suffix}", args=args)

    def api_url(self, obj=None) -> str:
        name = self.api_basename
        if obj is None:
            return reverse(f"api:{name}-list")
        return reverse(f"api:{name}-detail", args=[obj.pk])

    def permitted(self, make_user, tree, *actions):
        return make_user(perms=self.perms(*actions), scope=self.scope(tree))

    def changes(self, obj_pk, action):
        ct = ContentType.objects.get_for_model(self.model)
        ids = obj_pk if isinstance(obj_pk, list) else [obj_pk]
        return ObjectChange.objects.filter(content_type=ct, object_id__in=ids, action=action)

    def stored(self, pk) -> dict:
        """The record as the change log serialises it, read afresh from the database."""
        from citygrid.core import changelog

        return changelog.serialize(self.model.objects.get(pk=pk))

    def assert_one_change(self, pk, action: str, before: dict | None, after: dict | None):
        """Exactly one change-log row of `action` for the record, with these before/after."""
        change = self.changes(pk, action).get()
        assert change.prechange_data == before
        assert change.postchange_data == after
        return change

    def assert_stores_what_clean_derives(self, obj) -> None:
        """Whatever way a record arrived, cleaning it again derives nothing new: what
        `full_clean` derives (sex and birth date from an ID number, a grid from a building)
        was stored by the write path."""
        from citygrid.core import records

        stored = self.model.objects.get(pk=obj.pk)
        fields = [f.attname for f in self.model._meta.concrete_fields]
        before = {name: getattr(stored, name) for name in fields}
        records.full_clean(stored)
        assert {name: getattr(stored, name) for name in fields} == before


class PageTests(RecordTestBase):
    """List, detail, create, edit and delete pages: permissions, scope, one change each."""

    # --- list -------------------------------------------------------------------------------
    def test_list_anonymous_redirects_to_login(self, client, tree):
        response = client.get(self.url("_list"))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_list_without_permission_is_403(self, client, tree, make_user):
        client.force_login(make_user(scope=self.scope(tree)))
        assert client.get(self.url("_list")).status_code == 403

    def test_list_shows_only_records_in_scope(self, client, tree, make_user):
        inside, outside = self.in_scope(tree), self.out_of_scope(tree)
        client.force_login(self.permitted(make_user, tree, "view"))
        response = client.get(self.url("_list"))
        assert response.status_code == 200
        shown = {row.record.pk for row in response.context["table"].page.object_list}
        assert inside.pk in shown
        assert outside.pk not in shown

    # --- detail -----------------------------------------------------------------------------
    def test_detail_anonymous_redirects_to_login(self, client, tree):
        response = client.get(self.url("", self.in_scope(tree)))
        assert response.status_code == 302

    def test_detail_without_permission_is_403(self, client, tree, make_user):
        obj = self.in_scope(tree)
        client.force_login(make_user(scope=self.scope(tree)))
        assert client.get(self.url("", obj)).status_code == 403

    def test_detail_permitted(self, client, tree, make_user):
        obj = self.in_scope(tree)
        client.force_login(self.permitted(make_user, tree, "view"))
        response = client.get(self.url("", obj))
        assert response.status_code == 200
        assert response.context["object"] == obj

    def test_detail_out_of_scope_is_404(self, client, tree, make_user):
        obj = self.out_of_scope(tree)
        client.force_login(self.permitted(make_user, tree, *ALL_ACTIONS))
        assert client.get(self.url("", obj)).status_code == 404
        assert client.get(self.url("_changelog", obj)).status_code == 404

    # --- create -----------------------------------------------------------------------------
    def test_create_without_permission_is_403(self, client, tree, make_user):
        client.force_login(self.permitted(make_user, tree, "view"))
        before = self.model.objects.count()
        assert client.get(self.url("_add")).status_code == 403
        assert client.post(self.url("_add"), self.form_data(tree)).status_code == 403
        assert self.model.objects.count() == before

    def test_create_permitted_logs_change(self, client, tree, make_user):
        client.force_login(self.permitted(make_user, tree, "view", "add"))
        assert client.get(self.url("_add")).status_code == 200
        before = self.model.objects.count()
        response = client.post(self.url("_add"), self.form_data(tree))
        assert response.status_code == 302, response.context["form"].errors
        assert self.model.objects.count() == before + 1
        created = self.model.objects.latest("pk")
        self.assert_one_change(created.pk, "create", None, self.stored(created.pk))
        self.assert_stores_what_clean_derives(created)

    def test_create_outside_scope_is_refused(self, client, tree, make_user):
        client.force_login(self.permitted(make_user, tree, "view", "add"))
        before = self.model.objects.count()
        response = client.post(self.url("_add"), self.outside_form_data(tree))
        assert response.status_code == 200  # the form again, with an error
        assert response.context["form"].errors
        assert self.model.objects.count() == before
        assert not ObjectChange.objects.filter(action="create", user__isnull=False).exists()

    # --- edit -------------------------------------------------------------------------------
    def test_edit_permitted_logs_before_and_after(self, client, tree, make_user):
        obj = self.in_scope(tree)
        client.force_login(self.permitted(make_user, tree, "view", "change"))
        data, expected = self.edit_data(tree, obj)
        original = self.stored(obj.pk)
        response = client.post(self.url("_edit", obj), data)
        assert response.status_code == 302, response.context["form"].errors
        obj.refresh_from_db()
        assert getattr(obj, self.edited_field) == expected
        change = self.assert_one_change(obj.pk, "update", original, self.stored(obj.pk))
        assert self.edited_field in {name for name, _, _ in change.diff()}
        self.assert_stores_what_clean_derives(obj)

    def test_edit_out_of_scope_is_404_and_unchanged(self, client, tree, make_user):
        obj = self.out_of_scope(tree)
        client.force_login(self.permitted(make_user, tree, "view", "change"))
        data, _ = self.edit_data(tree, obj)
        original = getattr(obj, self.edited_field)
        assert client.get(self.url("_edit", obj)).status_code == 404
        assert client.post(self.url("_edit", obj), data).status_code == 404
        obj.refresh_from_db()
        assert getattr(obj, self.edited_field) == original
        assert not self.changes(obj.pk, "update").exists()

    def test_edit_without_permission_is_403(self, client, tree, make_user):
        obj = self.in_scope(tree)
        client.force_login(self.permitted(make_user, tree, "view"))
        assert client.get(self.url("_edit", obj)).status_code == 403

    # --- delete -----------------------------------------------------------------------------
    def test_delete_permitted_logs_change(self, client, tree, make_user):
        obj = self.deletable(tree)
        client.force_login(self.permitted(make_user, tree, "view", "delete"))
        assert client.get(self.url("_delete", obj)).status_code == 200
        last = self.stored(obj.pk)
        assert client.post(self.url("_delete", obj)).status_code == 302
        assert not self.model.objects.filter(pk=obj.pk).exists()
        self.assert_one_change(obj.pk, "delete", last, None)

    def test_delete_out_of_scope_is_404(self, client, tree, make_user):
        obj = self.out_of_scope(tree)
        client.force_login(self.permitted(make_user, tree, "view", "delete"))
        assert client.post(self.url("_delete", obj)).status_code == 404
        assert self.model.objects.filter(pk=obj.pk).exists()

    def deletable(self, tree):
        return self.in_scope(tree)


class ExportTests(RecordTestBase):
    # --- export -----------------------------------------------------------------------------
    def test_export_honours_scope_and_is_logged(self, client, tree, make_user):
        inside, outside = self.in_scope(tree), self.out_of_scope(tree)
        user = self.permitted(make_user, tree, "view", "export")
        client.force_login(user)
        response = client.get(self.url("_export") + "?export_format=csv")
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert self.export_marker(inside) in text
        assert self.export_marker(outside) not in text
        log = AccessLog.objects.get(user=user, action="export")
        assert log.record_count == len(text.strip().splitlines()) - 1

    def test_export_without_permission_is_403(self, client, tree, make_user):
        client.force_login(self.permitted(make_user, tree, "view"))
        assert client.get(self.url("_export")).status_code == 403
        assert not AccessLog.objects.filter(action="export").exists()

    def export_marker(self, obj) -> str:
        return str(obj.pk)


class ImportTests(RecordTestBase):
    # --- import -----------------------------------------------------------------------------
    def _upload(self, client, rows, valid_only=False):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("data.csv", csv_bytes(rows), content_type="text/csv")
        data = {"file": upload}
        if valid_only:
            data["valid_only"] = "on"
        response = client.post(self.url("_import"), data)
        assert response.status_code == 302, getattr(response, "context", None)
        return ImportJob.objects.latest("pk")

    def test_import_creates_records(self, client, tree, make_user):
        client.force_login(self.permitted(make_user, tree, "view", "add", "change", "import"))
        rows = self.import_rows(tree)
        before = self.model.objects.count()
        job = self._upload(client, rows)
        assert job.status == ImportJob.Status.DONE, job.errors
        assert job.created_count == len(rows)
        assert self.model.objects.count() == before + len(rows)
        created = self.model.objects.order_by("-pk")[: len(rows)]
        for obj in created:
            self.assert_one_change(obj.pk, "create", None, self.stored(obj.pk))
            self.assert_stores_what_clean_derives(obj)
        # Importing the same file again updates instead of duplicating (upsert by natural key),
        # and an update that changes nothing writes no history.
        job = self._upload(client, rows)
        assert job.status == ImportJob.Status.DONE, job.errors
        assert (job.created_count, job.updated_count) == (0, len(rows))
        assert self.model.objects.count() == before + len(rows)
        assert not self.changes([obj.pk for obj in created], "update").exists()

    def test_import_with_errors_writes_nothing(self, client, tree, make_user):
        client.force_login(self.permitted(make_user, tree, "view", "add", "change", "import"))
        rows, bad_column = self.bad_import_rows(tree)
        before = self.model.objects.count()
        changes_before = ObjectChange.objects.count()
        job = self._upload(client, rows)
        assert job.status == ImportJob.Status.INVALID
        assert {(e["row"], e["column"]) for e in job.errors} == {(len(rows) + 1, bad_column)}
        assert self.model.objects.count() == before
        assert ObjectChange.objects.count() == changes_before
        page = client.get(reverse("core:importjob", args=[job.pk]))
        assert bad_column in page.content.decode()
        errors_file = client.get(reverse("core:importjob_errors", args=[job.pk]))
        lines = errors_file.content.decode("utf-8-sig").strip().splitlines()
        assert lines[0].endswith("错误信息")
        assert bad_column in lines[-1]

    def test_import_valid_rows_only(self, client, tree, make_user):
        client.force_login(self.permitted(make_user, tree, "view", "add", "change", "import"))
        rows, _ = self.bad_import_rows(tree)
        before = self.model.objects.count()
        job = self._upload(client, rows, valid_only=True)
        assert job.status == ImportJob.Status.DONE
        assert (job.created_count, job.skipped_count) == (len(rows) - 1, 1)
        assert self.model.objects.count() == before + len(rows) - 1

    def test_import_page_explains_the_file(self, client, tree, make_user):
        from citygrid.core.io.resources import resource_for

        client.force_login(self.permitted(make_user, tree, "view", "import"))
        page = client.get(self.url("_import")).content.decode()
        resource = resource_for(self.model)()
        assert f"按“{resource.natural_key_label()}”自动匹配" in page
        assert reverse("core:import_template", args=[resource.key()]) in page
        for header in resource.header():
            assert header in page

    def test_import_without_permission_is_403(self, client, tree, make_user):
        client.force_login(self.permitted(make_user, tree, "view", "add"))
        assert client.get(self.url("_import")).status_code == 403


class ApiReadTests(RecordTestBase):
    # --- API --------------------------------------------------------------------------------
    def test_api_anonymous_is_401(self, api_client, tree):
        response = api_client.get(self.api_url())
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_api_without_permission_is_403(self, api_client, tree, make_user):
        api_client.force_authenticate(make_user(scope=self.scope(tree)))
        response = api_client.get(self.api_url())
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_api_list_and_detail_honour_scope(self, api_client, tree, make_user):
        inside, outside = self.in_scope(tree), self.out_of_scope(tree)
        api_client.force_authenticate(self.permitted(make_user, tree, "view"))
        ids = {
            row["id"]
            for row in api_client.get(self.api_url(), {"page_size": 1000}).json()["results"]
        }
        assert inside.pk in ids and outside.pk not in ids
        assert api_client.get(self.api_url(inside)).status_code == 200
        response = api_client.get(self.api_url(outside))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


class ApiWriteTests(RecordTestBase):
    """Create, change and delete through the API: the same write path as the pages."""

    def test_api_create_update_delete(self, api_client, tree, make_user):
        api_client.force_authenticate(self.permitted(make_user, tree, *ALL_ACTIONS))
        response = api_client.post(self.api_url(), self.api_data(tree), format="json")
        assert response.status_code == 201, response.json()
        obj = self.model.objects.get(pk=response.json()["id"])
        self.assert_one_change(obj.pk, "create", None, self.stored(obj.pk))
        self.assert_stores_what_clean_derives(obj)
        data, expected = self.edit_data(tree, obj)
        original = self.stored(obj.pk)
        response = api_client.patch(
            self.api_url(obj), {self.edited_field: data[self.edited_field]}, format="json"
        )
        assert response.status_code == 200, response.json()
        obj.refresh_from_db()
        assert getattr(obj, self.edited_field) == expected
        change = self.assert_one_change(obj.pk, "update", original, self.stored(obj.pk))
        assert self.edited_field in {name for name, _, _ in change.diff()}
        self.assert_stores_what_clean_derives(obj)
        last = self.stored(obj.pk)
        assert api_client.delete(self.api_url(obj)).status_code == 204
        assert not self.model.objects.filter(pk=obj.pk).exists()
        self.assert_one_change(obj.pk, "delete", last, None)

    def test_api_invalid_data_is_structured_400(self, api_client, tree, make_user):
        api_client.force_authenticate(self.permitted(make_user, tree, *ALL_ACTIONS))
        before = self.model.objects.count()
        response = api_client.post(self.api_url(), {}, format="json")
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid" and body["message"] and body["errors"]
        assert self.model.objects.count() == before

    def test_api_out_of_scope_write_is_404(self, api_client, tree, make_user):
        outside = self.out_of_scope(tree)
        api_client.force_authenticate(self.permitted(make_user, tree, *ALL_ACTIONS))
        data, _ = self.edit_data(tree, outside)
        response = api_client.patch(
            self.api_url(outside), {self.edited_field: data[self.edited_field]}, format="json"
        )
        assert response.status_code == 404
        assert api_client.delete(self.api_url(outside)).status_code == 404
        assert self.model.objects.filter(pk=outside.pk).exists()


class ApiWritesRefusedTests(RecordTestBase):
    """A read-only API: every write is refused with a structured 405 and changes nothing."""

    def test_api_writes_are_refused(self, api_client, tree, make_user):
        obj = self.in_scope(tree)
        api_client.force_authenticate(make_user(superuser=True))
        count, changes = self.model.objects.count(), ObjectChange.objects.count()
        for response in (
            api_client.post(self.api_url(), {}, format="json"),
            api_client.patch(self.api_url(obj), {}, format="json"),
            api_client.put(self.api_url(obj), {}, format="json"),
            api_client.delete(self.api_url(obj)),
        ):
            assert response.status_code == 405
            assert response.json()["code"] == "method_not_allowed"
        assert self.model.objects.count() == count
        assert ObjectChange.objects.count() == changes


class NotImportableTests(RecordTestBase):
    """A record type registered with its owner (a membership with its kind's items): no import
    page, not even for a superuser."""

    def test_import_is_not_offered(self, client, tree, make_user):
        from django.urls import NoReverseMatch

        try:
            url = self.url("_import")
        except NoReverseMatch:
            return
        client.force_login(make_user(superuser=True))
        assert client.get(url).status_code == 404


class NotExportableTests(RecordTestBase):
    """Configuration with no file export of its own."""

    def test_export_is_not_offered(self, client, tree, make_user):
        from django.urls import NoReverseMatch

        try:
            url = self.url("_export")
        except NoReverseMatch:
            return
        client.force_login(make_user(superuser=True))
        assert client.get(url).status_code == 404


class NoApiTests(RecordTestBase):
    """No API of its own: no route in the API's URL conf."""

    def test_no_api_route(self):
        from django.urls import NoReverseMatch

        meta = self.model._meta
        for name in (self.api_basename or meta.model_name,):
            for suffix in ("list", "detail"):
                args = [1] if suffix == "detail" else []
                try:
                    reverse(f"api:{name}-{suffix}", args=args)
                except NoReverseMatch:
                    continue
                raise AssertionError(f"{meta.model_name} has an API route api:{name}-{suffix}")


class RecordTestCases(PageTests, ExportTests, ImportTests, ApiReadTests, ApiWriteTests):
    """Every generic test: pages, export, import and a read-write API."""


def at_once(target, times: int = 2) -> None:
    """Run `target` in `times` threads released together, for races that the database's locks
    decide; each thread closes the connection it opened."""
    barrier = threading.Barrier(times, timeout=10)

    def run():
        try:
            barrier.wait()
            target()
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
