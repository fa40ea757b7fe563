"""A year of assistance for the synthetic province, entered through the product's own
doors: help plans proposed, cadres (field officers) paired with the helped households of
their village and stationed in work teams, their visits logged from "phones" (some cadres
late, some visits fake: far from the village, or minutes after another at a desk),
projects with milestones and photo evidence (some photos misplaced, out of time, or
without EXIF), products of cooperatives sold, and needs met by helpers (some twice, some
pledges never delivered). What was faked is kept apart (``truth_assistance``: kind, and
the visit's officer, household and time; the late cadre's name; or ``ref``, the id of the
photo's report, of the pledge never delivered or of the need met twice), for
measuring the flags' precision and recall (benchmarks/bench_assistance_flags.py).
Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from shapely.geometry import shape

from ..access.accounts import User, create_users, password_hash, user_named
from ..assistance.catalogue import load_catalogue
from ..assistance.needs import confirm, pledge, publish, register_helper
from ..assistance.officer_rules import OfficerRules, load_officer_rules
from ..assistance.officers import form_team
from ..assistance.photos import read_photo
from ..assistance.plans import HELPED, propose
from ..assistance.products import Listing, deliver, list_product, order
from ..assistance.projects import KINDS, Draft, Report, add_beneficiaries, add_project, report
from ..assistance.visits import record_visits
from ..funds.programmes import load_programmes
from ..sqltext import literals
from ..store import Store
from .photos import jpeg

TRUTH = "truth_assistance"
PASSWORD = "synthetic cadre password"  # every synthetic cadre's initial password
Progress = Callable[[str], None]


@dataclass(frozen=True)
class AssistanceRates:
    late_cadres: float = 0.15  # cadres who visit every 60 to 120 days, not monthly
    far_visits: float = 0.03  # visits logged 8 to 50 km from the village
    fast_visits: float = 0.03  # visits logged minutes after another, at a desk
    far_photos: float = 0.06  # project photos taken 10 to 80 km from the site
    late_photos: float = 0.04  # taken a year before the project
    bare_photos: float = 0.04  # photos without EXIF
    twice_met: float = 0.2  # needs a second helper delivers as well
    undelivered: float = 0.2  # pledges never delivered


@dataclass(frozen=True)
class AssistanceConfig:
    year: int = 2026
    seed: int = 1
    households_per_cadre: int = 4
    projects_per_village: float = 0.4
    products_per_village: float = 0.3
    needs_per_village: float = 0.3
    rates: AssistanceRates = field(default_factory=AssistanceRates)


def synthesize_assistance(store: Store, config: AssistanceConfig = AssistanceConfig(),
                          progress: Progress | None = None) -> dict[str, int]:
    """A year of assistance in ``store`` (identified); returns counts of what was made."""
    say = progress or (lambda _: None)
    rng = np.random.default_rng(config.seed)
    y = config.year
    counts: dict[str, int] = {}
    store.execute(f"CREATE TABLE IF NOT EXISTS {TRUTH} (kind VARCHAR, username VARCHAR, "
                  "household_id BIGINT, visited_at TIMESTAMP, ref BIGINT)")
    say("cadres")
    boss = _clerk(store)
    villages = _villages(store)  # registration does not change below: read once
    cadres = _cadres(store, config, boss, villages)
    counts["cadres"] = sum(len(c) for c in cadres.values())
    say("help plans")
    counts["plans"] = propose(store, load_catalogue(), y, dt.date(y, 3, 1)).plans
    counts["delivered"] = _deliveries(store, config, rng)
    say("visits")
    counts["visits"] = _visits(store, config, rng, cadres, villages,
                               load_officer_rules())
    say("projects")
    counts["project_reports"] = _projects(store, config, rng, boss, villages)
    say("products and needs")
    counts["orders"] = _products(store, config, rng, boss, villages)
    counts["pledges"] = _needs(store, config, rng, boss, villages)
    return counts


def _clerk(store: Store) -> User:
    """The province's office that enters the synthetic assistance."""
    province = str(store.value("SELECT min(code) FROM regions WHERE level = 'province'"))
    if store.value("SELECT 1 FROM users WHERE username = 'synth_office'") is None:
        create_users(store, [("synth_office", "synthetic province office", "officer",
                              province)], password_hash(PASSWORD))
    return user_named(store, "synth_office")


Villages = dict[str, tuple[list[int], tuple[float, float], float]]


def _villages(store: Store) -> Villages:
    """Each village with helped households: their ids, a point inside it (lat, lon) and
    the diagonal of its bounding box (km), beyond which a point is outside it."""
    rows = store.rows(
        "SELECT h.village_code, list(h.household_id ORDER BY h.household_id), r.boundary "
        "FROM households h JOIN regions r ON r.code = h.village_code "
        f"WHERE h.registration_status IN {literals(HELPED)} GROUP BY h.village_code, r.boundary "
        "ORDER BY h.village_code")
    out = {}
    for village, households, boundary in rows:
        home, across = (26.5, 106.7), 0.0
        if boundary:
            area = shape(json.loads(boundary))
            point = area.representative_point()
            west, south, east, north = area.bounds
            home = (point.y, point.x)
            across = math.hypot((east - west) * 111.32 * math.cos(math.radians(point.y)),
                                (north - south) * 110.574)
        out[str(village)] = ([int(h) for h in households], home, across)
    return out


def _cadres(store: Store, config: AssistanceConfig, boss: User, villages: Villages
            ) -> dict[str, list[str]]:
    """Cadres per village, each paired with up to ``households_per_cadre`` households
    from 1 March, the first the first secretary of the village's work team."""
    users, pairs, teams = [], [], []
    for village, (households, _, _) in villages.items():
        n = math.ceil(len(households) / config.households_per_cadre)
        names = [f"c{village}_{k}" for k in range(1, n + 1)]
        users += [(u, f"帮扶干部 {village[-3:]}-{k}", "field_officer", village)
                  for k, u in enumerate(names, start=1)]
        pairs += [(names[i // config.households_per_cadre], h, village)
                  for i, h in enumerate(households)]
        teams.append((village, names))
    create_users(store, users, password_hash(PASSWORD))
    start = dt.date(config.year, 3, 1)
    with store.registered("_synth_pairs", pa.table({
            "username": [p[0] for p in pairs], "household_id": [p[1] for p in pairs],
            "village_code": [p[2] for p in pairs]})):
        store.execute("INSERT INTO help_pairs (username, household_id, village_code, "
                      "paired_on, ended_on, paired_by) SELECT username, household_id, "
                      "village_code, ?, NULL, ? FROM _synth_pairs", [start, boss.username])
    for village, names in teams:
        form_team(store, village, f"驻村工作队 {village[-3:]}", "省直单位", names[0],
                  names[1:3], start, boss)
    return dict(teams)


DELIVERED = 0.95  # of the plan items, those delivered (by their due date, mostly)
LATE = 0.1  # of those, delivered after the due date


def _deliveries(store: Store, config: AssistanceConfig, rng: np.random.Generator) -> int:
    """Most plan items delivered by their cadre, some late, written straight (version 2 of
    each, as `plans set` would keep it; the product's checks are for officers' changes)."""
    items = store.arrow("SELECT item_id, due_date, officer FROM plan_items ORDER BY item_id")
    n = items.num_rows
    chosen = rng.random(n) < DELIVERED
    days = np.where(rng.random(n) < LATE, rng.integers(5, 60, n), -rng.integers(0, 30, n))
    done = pa.table({"item_id": items.column("item_id").filter(pa.array(chosen)),
                     "days": pa.array(days[chosen].astype(np.int32))})
    with store.registered("_synth_delivered", done):
        store.execute(
            "UPDATE plan_items SET state = 'delivered', version = 2, changed_by = "
            "coalesce(officer, 'synth_office'), changed_at = CAST(due_date + to_days(d.days) "
            "AS TIMESTAMP) + INTERVAL 10 HOUR FROM _synth_delivered d "
            "WHERE d.item_id = plan_items.item_id AND due_date + to_days(d.days) <= DATE "
            f"'{config.year}-12-31'")
        store.execute("INSERT INTO plan_item_history BY NAME SELECT * FROM plan_items "
                      "WHERE version = 2")
    return int(store.scalar("SELECT count(*) FROM plan_items WHERE state = 'delivered'"))


def _visits(store: Store, config: AssistanceConfig, rng: np.random.Generator,
            cadres: dict[str, list[str]], villages: Villages, rules: OfficerRules) -> int:
    """Each cadre's visits of the year, logged through ``record_visits`` (a phone's file)."""
    rates, y = config.rates, config.year
    end = dt.datetime(y, 12, 31, 18)
    total = 0
    for village, names in cadres.items():
        households, (lat, lon), across = villages[village]
        for k, username in enumerate(names):
            mine = households[k * config.households_per_cadre:
                              (k + 1) * config.households_per_cadre]
            late = rng.random() < rates.late_cadres
            if late:
                store.execute(f"INSERT INTO {TRUTH} VALUES ('late_cadre', ?, NULL, NULL, "
                              "NULL)", [username])
            rows = _cadre_visits(rng, mine, (lat, lon), dt.datetime(y, 3, 2, 9), end, late,
                                 rates, across)
            for r in rows:
                if r["fake"]:
                    store.execute(f"INSERT INTO {TRUTH} VALUES (?, ?, ?, ?, NULL)",
                                  [r["fake"], username, r["household_id"], r["visited_at"]])
            table = pa.Table.from_pylist([{k_: v for k_, v in r.items() if k_ != "fake"}
                                          for r in rows])
            record_visits(store, rules, user_named(store, username), table,
                          "synthetic phone", now=end)
            total += len(rows)
    return total


def _cadre_visits(rng: np.random.Generator, households: list[int], home: tuple[float, float],
                  start: dt.datetime, end: dt.datetime, late: bool,
                  rates: AssistanceRates, across: float = 0.0) -> list[dict[str, object]]:
    """One cadre's visits: each household in turn, a day apart, every 18-26 days (a late
    cadre: 60-120), at a point near the village's; some far (8 to 50 km beyond the
    village's extent, ``across`` km), some a desk's minutes after."""
    rows: list[dict[str, object]] = []
    day = start
    while day < end:
        for i, household in enumerate(households):
            at = day + dt.timedelta(days=i, minutes=int(rng.integers(0, 480)))
            if at >= end:
                break
            lat, lon = home[0] + rng.normal(0, 0.001), home[1] + rng.normal(0, 0.001)
            fake = None
            if rng.random() < rates.far_visits:
                km, angle = across + rng.uniform(8, 50), rng.uniform(0, 2 * math.pi)
                lat += km / 110.574 * math.sin(angle)
                lon += km / (111.32 * math.cos(math.radians(lat))) * math.cos(angle)
                fake = "far_visit"
            rows.append({"household_id": household, "visited_at": at, "lat": lat, "lon": lon,
                         "done": "走访，了解收入和帮扶措施进展", "next_step": None, "fake": fake})
            if len(households) > 1 and rng.random() < rates.fast_visits:
                other = households[(i + 1) % len(households)]
                rows.append({"household_id": other,
                             "visited_at": at + dt.timedelta(minutes=int(rng.integers(1, 6))),
                             "lat": home[0], "lon": home[1], "done": "电话了解情况",
                             "next_step": None, "fake": "fast_visit"})
        day += dt.timedelta(days=int(rng.integers(60, 121) if late else rng.integers(18, 27)))
    rows.sort(key=lambda r: r["visited_at"])  # type: ignore[arg-type, return-value]
    return rows


PROJECT_NAMES = {"road": "通组硬化路", "water": "集中供水工程", "housing": "危房改造",
                 "industry_base": "产业基地", "cooperative": "专业合作社", "training": "技能培训",
                 "relocation_site": "安置点配套"}


def _projects(store: Store, config: AssistanceConfig, rng: np.random.Generator,
              boss: User, villages: Villages) -> int:
    """Village projects with two milestones and a photo report on each."""
    rates, y, reports = config.rates, config.year, 0
    programmes = load_programmes()
    for village, (households, (lat, lon), _) in villages.items():
        if rng.random() >= config.projects_per_village:
            continue
        kind = str(rng.choice(KINDS[:-1]))
        draft = Draft(county=village[:6] + "000000", village=village,
                      name=f"{village[-3:]} 号村{PROJECT_NAMES[kind]}", kind=kind,
                      budget_fen=int(rng.integers(5, 50)) * 10_000_00,
                      programmes=("integrated_agriculture",), lat=lat, lon=lon,
                      starts=dt.date(y, 4, 1), ends=dt.date(y, 11, 30), year=y,
                      contractor="县建设公司",
                      milestones=(("开工", dt.date(y, 6, 30)), ("完工", dt.date(y, 10, 31))))
        project = add_project(store, draft, programmes, boss)
        add_beneficiaries(store, project, households, boss)
        for milestone, due in ((1, dt.date(y, 6, 30)), (2, dt.date(y, 10, 31))):
            taken = dt.datetime.combine(due, dt.time(10)) - dt.timedelta(
                days=int(rng.integers(1, 20)))
            plat, plon, kind_ = lat + rng.normal(0, 0.002), lon + rng.normal(0, 0.002), None
            draw = rng.random()
            if draw < rates.far_photos:
                plat, kind_ = lat + rng.uniform(10, 80) / 110.574, "far_photo"
            elif draw < rates.far_photos + rates.late_photos:
                taken, kind_ = taken - dt.timedelta(days=365), "late_photo"
            elif draw < rates.far_photos + rates.late_photos + rates.bare_photos:
                kind_ = "bare_photo"
            content = jpeg(None if kind_ == "bare_photo" else taken,
                           None if kind_ == "bare_photo" else plat,
                           None if kind_ == "bare_photo" else plon,
                           colour=tuple(int(c) for c in rng.integers(40, 220, 3)))  # type: ignore[arg-type]
            done = report(store, project, boss, Report(100, "按期完成", milestone, True),
                          (content, read_photo(content, "synthetic.jpg")),
                          dt.datetime.combine(due, dt.time(18)))
            if kind_:
                store.execute(f"INSERT INTO {TRUTH} VALUES (?, NULL, NULL, NULL, ?)",
                              [kind_, done["report_id"]])
            reports += 1
    return reports


PRODUCTS = (("高山绿茶", "tea", "box", 8_800), ("土蜂蜜", "honey", "kg", 12_000),
            ("香菇", "mushrooms", "kg", 4_500), ("土鸡蛋", "eggs", "box", 4_500),
            ("小米", "grain", "kg", 1_200), ("刺梨", "fruit", "kg", 900))
BUYERS = (("县第一中学食堂", "canteen"), ("某国有企业工会", "company"),
          ("县机关食堂", "government"), ("个人消费者", "individual"))


def _products(store: Store, config: AssistanceConfig, rng: np.random.Generator,
              boss: User, villages: Villages) -> int:
    """A cooperative's product in some villages, ordered and mostly delivered."""
    y, orders = config.year, 0
    for village, (households, _, _) in villages.items():
        if rng.random() >= config.products_per_village or len(households) < 2:
            continue
        name, category, unit, price = PRODUCTS[int(rng.integers(0, len(PRODUCTS)))]
        members = households[:min(4, len(households))]
        shares = {h: 1 / len(members) for h in members[:-1]}
        shares[members[-1]] = 1 - sum(shares.values())
        product = list_product(store, Listing(
            village=village, seller=f"{village[-3:]} 村专业合作社", seller_kind="cooperative",
            name=name, category=category, unit=unit, price_fen=price,
            available=int(rng.integers(100, 500)), households=shares, season="1-12",
            certificates=("绿色食品",)), boss)
        for _ in range(int(rng.integers(1, 4))):
            buyer, kind = BUYERS[int(rng.integers(0, len(BUYERS)))]
            made = order(store, product, buyer, kind, int(rng.integers(5, 40)),
                         now=dt.datetime(y, int(rng.integers(3, 11)), 15))
            if rng.random() < 0.85:
                deliver(store, made, boss, dt.date(y, 11, 20))
            orders += 1
    return orders


NEEDS = (("equipment", "轮椅一台", "一位行动不便的老人需要轮椅", 80_000),
         ("tuition", "一名高中生的学费", "学费与住宿费一年", 300_000),
         ("seedlings", "果园苗木", "核桃苗 300 株", 150_000),
         ("job", "一个工作岗位", "一位会开车的劳动力需要工作", 100_000))


def _needs(store: Store, config: AssistanceConfig, rng: np.random.Generator,
           boss: User, villages: Villages) -> int:
    """Needs in some villages, pledged and confirmed; some met twice, some never."""
    rates, y, pledges = config.rates, config.year, 0
    company = register_helper(store, "company", "某建设集团", "公益部")
    ngo = register_helper(store, "ngo", "某公益基金会", "项目部")
    for village, (households, _, _) in villages.items():
        if rng.random() >= config.needs_per_village:
            continue
        kind, title, text, value = NEEDS[int(rng.integers(0, len(NEEDS)))]
        need = publish(store, village, kind, title, text, value, boss,
                       households[int(rng.integers(0, len(households)))])
        first = pledge(store, need, company, value, title, dt.datetime(y, 4, 1))
        pledges += 1
        if rng.random() < rates.undelivered:
            store.execute(f"INSERT INTO {TRUTH} VALUES ('undelivered', NULL, NULL, NULL, ?)",
                          [first])
            continue
        second = pledge(store, need, ngo, value, title, dt.datetime(y, 4, 2)) \
            if rng.random() < rates.twice_met else None
        confirm(store, first, boss, dt.date(y, 5, 1), "签收单")
        if second is not None:
            pledges += 1
            confirm(store, second, boss, dt.date(y, 5, 3), "签收单")
            store.execute(f"INSERT INTO {TRUTH} VALUES ('twice_met', NULL, NULL, NULL, ?)",
                          [need])
    return pledges
