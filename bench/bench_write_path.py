"""The one write path against the writes it replaced: single save, page, API and bulk, same run.

`BENCH_WRITE_ROWS` sets the bulk size (default 2 000 people: the import, then `create_records` and
`update_records`), `BENCH_WRITES` the single writes per timing (default 50). Every write is of
a person; the actor is a clerk with people view/change permissions scoped to the city (the
import's is the superuser owning the job).

- Single writes, per record. Baseline ("before"): what a write cost when a signal kept the log —
  snapshot, plain `save()` (under `writeguard.unlogged()`) and one `ObjectChange` built by
  `changelog.entry`. Against it: `records.save_record` (also `full_clean`, the scope re-check and
  one transaction), then the person edit page (POST through the test client) and
  `PATCH /api/persons/<id>/` (APIClient), each over the bare `save_record`: the framework's
  share.
- Bulk, per row: the people importer (the UI job's code path); `create_records` and
  `update_records` against the raw `records.insert` / `bulk_update` plus the same change-log rows
  inserted in bulk (the old bulk import). The write path must stay close to 1×.

Fails (a correctness check, never a timing one) when a write does not leave exactly one
change-log row per record. Set `DATABASE_URL` to measure PostgreSQL.
"""

import gc
import itertools
import os
import time
import uuid

from bench.bench_import_people import _csv, _import, _Media, _rows
from bench.database import small_territory, test_database
from bench.timing import BenchmarkFailed

ROWS = int(os.environ.get("BENCH_WRITE_ROWS", "2000"))
WRITES = int(os.environ.get("BENCH_WRITES", "50"))
REPEATS = 3
# The bulk updates write only the changed column: `bulk_update` builds one CASE per column and
# row, so writing all 28 columns would time SQLite's CASE evaluation rather than the write path.
CHANGED = ("occupation",)

_values = itertools.count()


def _next_value() -> str:
    """A new occupation for every write, so that no update is a no-op (those log nothing)."""
    return f"基准职业{next(_values)}"


def _clerk(city):
    from django.contrib.auth.models import Permission

    from citygrid.accounts.models import Role, User
    from citygrid.core import writeguard

    # The acting user is a fixture, like the territory: written directly, without history.
    with writeguard.unlogged():
        user = User.objects.create_user("clerk", password="Bench@2026x")
        role = Role.objects.create(name="基准人口管理")
        role.permissions.set(
            Permission.objects.filter(
                content_type__app_label="people", codename__in=["view_person", "change_person"]
            )
        )
        user.roles.add(role)
        user.scope_regions.set([city])
    return user


class _ChangeLog:
    """The person change-log rows written since `start()`: exactly one per written record?"""

    def __init__(self):
        from django.contrib.contenttypes.models import ContentType

        from citygrid.people.models import Person

        self.content_type = ContentType.objects.get_for_model(Person)

    def start(self) -> None:
        from django.db.models import Max

        from citygrid.core.models import ObjectChange

        self.top = ObjectChange.objects.aggregate(top=Max("pk"))["top"] or 0

    def check(self, what: str, pks: list[int]) -> None:
        from citygrid.core.models import ObjectChange

        logged = ObjectChange.objects.filter(pk__gt=self.top, content_type=self.content_type)
        if sorted(logged.values_list("object_id", flat=True)) != sorted(pks):
            raise BenchmarkFailed(
                f"{what}: {logged.count()} change-log rows for {len(pks)} records, "
                "expected exactly one each"
            )


# --- single writes ------------------------------------------------------------------------


def _single(persons, clerk, changes: _ChangeLog) -> tuple[dict[str, float], list[str]]:
    """Seconds per record of each way of writing one person (`WRITES` writes a run), and the
    ways that failed."""
    from django.test import Client
    from django.urls import reverse
    from rest_framework.test import APIClient

    from citygrid.core import changelog, records, writeguard
    from citygrid.core.models import ObjectChange

    def before():
        for person in persons:
            snapshot = changelog.serialize(person)
            person.occupation = _next_value()
            with writeguard.unlogged():
                person.save()
            changelog.entry(
                person,
                ObjectChange.Action.UPDATE,
                snapshot,
                changelog.serialize(person),
                actor=clerk,
            ).save()

    def after():
        for person in persons:
            person.occupation = _next_value()
            records.save_record(person, actor=clerk)

    page_client = Client()
    page_client.force_login(clerk)
    forms = {
        person.pk: {
            "region": person.region_id,
            "residence_type": person.residence_type,
            "status": person.status,
            "id_type": person.id_type,
            "id_number": "",  # left empty: the number is kept
            "name": person.name,
            "ethnicity": person.ethnicity,
            "nationality": person.nationality,
            "registered-household_match": "01",
        }
        for person in persons
    }

    def page():
        for person in persons:
            url = reverse("people:person_edit", args=[person.pk])
            data = {**forms[person.pk], "occupation": _next_value()}
            response = page_client.post(url, data)
            if response.status_code != 302:
                context = response.context
                errors = context["form"].errors if context and "form" in context else ""
                raise BenchmarkFailed(f"edit page answered {response.status_code} {errors}")

    api_client = APIClient()
    api_client.force_authenticate(clerk)

    def api():
        for person in persons:
            url = reverse("api:person-detail", args=[person.pk])
            response = api_client.patch(url, {"occupation": _next_value()}, format="json")
            if response.status_code != 200:
                raise BenchmarkFailed(f"API answered {response.status_code}: {response.content!r}")

    pks = [person.pk for person in persons]

    def timed(name, write):
        def run() -> float:
            changes.start()
            gc.collect()
            start = time.perf_counter()
            write()
            seconds = time.perf_counter() - start
            changes.check(f"single write ({name})", pks)
            return seconds / len(persons)

        return run

    ways = {"before": before, "after": after, "page": page, "api": api}
    return _in_turns({name: timed(name, write) for name, write in ways.items()}, ("page", "api"))


def _in_turns(ways: dict, optional=()) -> tuple[dict[str, float], list[str]]:
    """The best of 3 of each timed way, the ways taking turns within each round so that a busy
    neighbour slows them alike; and the failures of optional ways, which are then dropped (a
    broken page or API is reported at the end while the other figures still count)."""
    best, failures = {}, []
    for _ in range(REPEATS):
        for name, timed in list(ways.items()):
            try:
                seconds = timed()
            except Exception as error:
                if name not in optional:
                    raise
                failures.append(f"{name}: {error!r}")
                del ways[name]
                continue
            best[name] = min(best.get(name, float("inf")), seconds)
    return best, failures


# --- bulk writes --------------------------------------------------------------------------


def _rolled_back(write, make_objs, changes: _ChangeLog, what: str):
    """A timing of `write(objs)` per record on fresh objects, rolled back afterwards so every
    run starts from the same tables; the run must log exactly one change per record."""
    from django.db import transaction

    def timed() -> float:
        objs = make_objs()
        gc.collect()
        with transaction.atomic():
            changes.start()
            start = time.perf_counter()
            write(objs)
            seconds = time.perf_counter() - start
            changes.check(what, [obj.pk for obj in objs])
            transaction.set_rollback(True)
        return seconds / len(objs)

    return timed


def _new_people(data: list[list[str]]):
    """Validated, unsaved people for the create timings, and a maker of fresh copies of them."""
    from citygrid.core import records
    from citygrid.people.models import Person
    from citygrid.regions.models import Region

    grids = {grid.code: grid for grid in Region.objects.filter(level="grid")}
    people = []
    for number, name, _sex, _ethnicity, phone, _kind, grid in data:
        person = Person(region=grids[grid], id_number=number, name=name, phone=phone)
        records.full_clean(person, unique=False)
        people.append(person)
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]

    def fresh() -> list:
        copies = []
        for person in people:
            copy = Person(**{f.attname: getattr(person, f.attname) for f in fields})
            copy.region = person.region
            copies.append(copy)
        return copies

    return fresh


def _changed_people() -> list:
    """Every person as loaded from the database, each with one field changed."""
    from citygrid.people.models import Person

    people = list(Person.objects.select_related("region").order_by("pk"))
    for person in people:
        person.occupation = _next_value()
    return people


def _bulk(data: list[list[str]], clerk, changes: _ChangeLog) -> dict[str, float]:
    """Seconds per record of the write path's bulk half and of the raw writes beneath it."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from citygrid.core import changelog, records, writeguard
    from citygrid.core.models import ObjectChange
    from citygrid.people.models import Person
    from citygrid.people.resources import PersonResource

    content_type = ContentType.objects.get_for_model(Person)
    copy = PersonResource.copy

    def log_raw(objs, action, befores):
        request_id = uuid.uuid4()
        rows = [
            changelog.entry(
                obj,
                action,
                before,
                changelog.serialize(obj),
                actor=clerk,
                request_id=request_id,
                content_type=content_type,
            )
            for obj, before in zip(objs, befores, strict=True)
        ]
        records.insert(ObjectChange, rows)

    def raw_create(objs):
        for obj in objs:
            obj.derive()
        records.insert(Person, objs, copy=copy)
        log_raw(objs, ObjectChange.Action.CREATE, [None] * len(objs))

    def raw_update(objs):
        befores = [changelog.serialize_loaded(obj) for obj in objs]
        now = timezone.now()
        for obj in objs:
            obj.derive()
            obj.last_updated = now
        with writeguard.unlogged():
            Person.objects.bulk_update(
                objs, [*CHANGED, "last_updated"], batch_size=records.UPDATE_BATCH
            )
        log_raw(objs, ObjectChange.Action.UPDATE, befores)

    fresh = _new_people(data)
    best, _ = _in_turns(
        {
            "raw create": _rolled_back(raw_create, fresh, changes, "raw bulk create"),
            "create_records": _rolled_back(
                lambda objs: records.create_records(Person, objs, actor=clerk, copy=copy),
                fresh,
                changes,
                "create_records",
            ),
            "raw update": _rolled_back(raw_update, _changed_people, changes, "raw bulk update"),
            "update_records": _rolled_back(
                lambda objs: records.update_records(Person, objs, actor=clerk, fields=CHANGED),
                _changed_people,
                changes,
                "update_records",
            ),
        }
    )
    return best


# --- report -------------------------------------------------------------------------------


def _line(label: str, seconds: float, base: float, base_name: str) -> None:
    print(f"  {label:<40}{seconds * 1e6:>10,.0f} µs{seconds / base:>9.2f}×  of {base_name}")


def run(rows: int = ROWS, writes: int = WRITES) -> None:
    from citygrid.people.models import Person
    from citygrid.regions.models import Region

    with test_database() as vendor:
        city = small_territory()
        grids = list(Region.objects.filter(level="grid").values_list("code", flat=True))
        data = _rows(2 * rows, grids)
        changes = _ChangeLog()
        changes.start()
        with _Media():
            clock, _ = _import(_csv(data[:rows]), rows)
        changes.check("import", list(Person.objects.values_list("pk", flat=True)))
        imported = clock.wall / rows
        clerk = _clerk(city)
        persons = list(Person.objects.select_related("region").order_by("pk")[:writes])
        single, failures = _single(persons, clerk, changes)
        bulk = _bulk(data[rows:], clerk, changes)

        print(f"database: {vendor}; {writes} single writes, {rows:,} rows in bulk; best of 3")
        print(f"  {'per record':<40}{'time':>13}{'time ratio':>15}")
        print("  single write (one person, one field changed):")
        before, after = single["before"], single["after"]
        _line("(b) save() + signal's change-log row", before, before, "(b)")
        _line("(a) records.save_record", after, before, "(b)")
        if "page" in single:
            _line("edit page POST (test client)", single["page"], after, "(a)")
        if "api" in single:
            _line("PATCH /api/persons/<id>/ (APIClient)", single["api"], after, "(a)")
        print("  bulk:")
        raw_create, raw_update = bulk["raw create"], bulk["raw update"]
        _line("(c) importer, per row", imported, after, "(a)")
        _line("(d) raw insert + change-log rows", raw_create, raw_create, "(d)")
        _line("(e) records.create_records", bulk["create_records"], raw_create, "(d)")
        _line("(f) raw bulk_update + change-log rows", raw_update, raw_update, "(f)")
        _line("(g) records.update_records", bulk["update_records"], raw_update, "(f)")
        print(
            f"  write path ÷ before: single {after / before:.2f}×, "
            f"bulk create {bulk['create_records'] / raw_create:.2f}×, "
            f"bulk update {bulk['update_records'] / raw_update:.2f}× (time ratios: "
            "above 1 is slower; bulk should stay close to 1)"
        )
        overheads = [
            f"{label} {single[name] / after:.1f}×"
            for name, label in [("page", "page"), ("api", "API")]
            if name in single
        ]
        print(
            f"  framework over save_record: {', '.join(overheads) or '-'}; "
            f"one save_record costs {after / imported:.1f} imported rows"
        )
        print("  change log: exactly one row per written record in every measurement")
        if failures:
            raise BenchmarkFailed("; ".join(failures))
