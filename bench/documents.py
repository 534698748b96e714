"""Library benchmarks (issue 8 point 12): a library of 10,000 documents of about 30 pages each,
on PostgreSQL, served by the production server, measured with wrk at concurrency 16.

    .venv/bin/python bench/documents.py --build     # once (~15 min): database bench_library
    .venv/bin/python bench/documents.py             # the measurements (~6 min)

--build recreates the database, runs `achats init` and `achats seed-demo` (accounts, themes, the
demo documents read by the real extractor), then adds the library in three steps (100, 1,000,
then 10,000 documents) and times in-process searches after each step: how search time grows with
the library. The bench's documents are written as the extraction task leaves them (pages of text
in document_page, one index entry each): extracting 10,000 files would take hours and measures
nothing the extraction figure below does not. Their text comes from the forum bench's phrases plus
a lexicon of rarer technical words, so that two-word searches range from selective to frequent.

The measurements (the bare Flask yardstick of the same run first):
- the library page with its facets (rotating over filters and sorts), signed in;
- two-word searches inside the files with the search cache off (ACHATS_SEARCH_CACHE_SECONDS=0),
  rotating over 24 queries, selective and frequent: the page and the API;
- text extraction of a 50-page PDF (the task's child process, median of 5);
- /healthz p50/p99 while the task consumer extracts 12 PDFs of 50 pages beside the web workers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ROOT,
    WRK_HEADER,
    achats,
    bench_env,
    exit_on_sigterm,
    flush_redis,
    free_port,
    machine,
    percentile,
    reference_rps,
    running,
    serve_cmd,
    today,
    wait_quiet,
    wrk,
)
from dataset import SENTENCES, SUBJECTS, TOWNS, recreate_database, run_init  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_library"
REDIS_URL = "redis://127.0.0.1:6379/13"
INFO = ROOT / "instance" / "bench-library.json"
STEPS = (100, 1_000, 10_000)

SYLLABLES = ["bio", "thermo", "hydro", "géo", "éco", "cellu", "lign", "agro", "photo", "carbo", "poly", "iso",
             "micro", "nano", "dendro", "litho", "sylvo", "calci", "ferro", "chloro", "phyto", "osmo", "silic",
             "vermi"]
ENDINGS = ["lyse", "curage", "fibre", "phane", "tomie", "gramme", "plastie", "mètre", "cide", "phore", "logie",
           "sorbant", "trope", "lithe", "drome", "flux", "mulch", "vore", "gène", "stase"]
# Two-word searches: selective (rare technical words) and frequent (the everyday vocabulary).
FREQUENT = ["critère environnemental", "papier recyclé", "clause insertion", "produits écolabellisés",
            "coût global", "matériaux biosourcés", "véhicules électriques", "déchets chantier",
            "circuits courts", "performance énergétique", "mobilier reconditionné", "espaces verts"]


def lexicon() -> list[str]:
    return [a + b for a in SYLLABLES for b in ENDINGS]  # 480 technical words


def page_text(rng: random.Random, words: list[str], weights: list[float], famille: str) -> str:
    """About 2,000 characters: the forum bench's phrases, each with two of the document's own
    technical words, an article number and a place."""
    parts = []
    for _ in range(rng.randint(11, 14)):
        sentence = rng.choice(SENTENCES).format(s=rng.choice(SUBJECTS), f=famille)
        rare = rng.choices(words, weights, k=2)
        parts.append(f"{sentence[0].upper()}{sentence[1:]} Voir l'article {rng.randint(1, 60)}.{rng.randint(1, 9)} "
                     f"({rare[0]}, {rare[1]}) ; site de {rng.choice(TOWNS)}, lot {rng.randint(1, 12)}.")
    return " ".join(parts)


def selective_queries(topics: list[list[str]], rng: random.Random) -> list[str]:
    """Two of the rarer technical words of one document (each in a few percent of the library,
    both together in a handful of documents), for 12 documents."""
    rank = {w: i for i, w in enumerate(lexicon())}
    queries = []
    for topic in rng.sample(topics, min(12, len(topics))):
        rare = sorted(topic, key=lambda w: -rank[w])[:4]
        queries.append(" ".join(rng.sample(rare, 2)))
    return queries


# --- building the library ------------------------------------------------------------------------------


def build(args: argparse.Namespace) -> None:
    recreate_database(args.url)
    run_init(args.url)
    env = bench_env(args.url, redis_url=None, port=free_port(), extra={
        "ACHATS_UPLOAD_DIR": str(ROOT / "instance" / "bench-library-uploads"),
        "ACHATS_TASKS_DB": str(ROOT / "instance" / "bench-library-tasks.db"),
        "ACHATS_SEARCH_CACHE_SECONDS": "0"})
    print(achats(env, "seed-demo"))
    os.environ.update({k: v for k, v in env.items() if k.startswith("ACHATS_")})
    from achats import create_app

    app = create_app()
    growth = []
    with app.app_context():
        made = 0
        rng = random.Random(8)
        topics: list[list[str]] = []
        for step in STEPS:
            if step > args.documents:
                break
            t0 = time.perf_counter()
            topics += insert_documents(made, step - made, args.pages, rng)
            made = step
            print(f"{made:,} documents in the library ({time.perf_counter() - t0:.0f} s for this step)", flush=True)
        if args.documents not in STEPS:
            topics += insert_documents(made, args.documents - made, args.pages, rng)
        queries = selective_queries(topics, random.Random(3))
        growth.append(time_searches(args.documents, queries))
    INFO.write_text(json.dumps({"database_url": args.url, "documents": args.documents, "pages": args.pages,
                                "selective": queries, "growth": growth, "built": today()}, indent=1))
    print(f"written {INFO.relative_to(ROOT)}")


def growth(args: argparse.Namespace) -> None:
    """Search time at 100 and 1,000 documents (a scratch database) and at the built library's size."""
    info = json.loads(INFO.read_text())
    scratch = args.url.rsplit("/", 1)[0] + "/bench_library_growth"
    recreate_database(scratch)
    run_init(scratch)
    env = bench_env(scratch, redis_url=None, port=free_port(), extra={
        "ACHATS_UPLOAD_DIR": str(ROOT / "instance" / "bench-library-uploads"),
        "ACHATS_TASKS_DB": str(ROOT / "instance" / "bench-library-tasks.db"), "ACHATS_SEARCH_CACHE_SECONDS": "0"})
    achats(env, "seed-demo")
    code = (f"import sys, json, random; sys.path.insert(0, {str(ROOT / 'bench')!r}); import documents as d; "
            "from achats import create_app; app = create_app(); out = []\n"
            "with app.app_context():\n"
            "    made = 0; rng = random.Random(8)\n"
            f"    for step in {[s for s in STEPS if s < args.documents]!r}:\n"
            f"        d.insert_documents(made, step - made, {args.pages}, rng); made = step; "
            f"out.append(d.time_searches(made, {info['selective']!r}))\n"
            "print('GROWTH ' + json.dumps(out))")
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=3600, check=True)
    small = json.loads(next(ln for ln in proc.stdout.splitlines() if ln.startswith("GROWTH "))[7:])
    env = bench_env(info["database_url"], redis_url=None, port=free_port(), extra={"ACHATS_SEARCH_CACHE_SECONDS": "0"})
    queries = info["selective"]
    code = (f"import sys, json; sys.path.insert(0, {str(ROOT / 'bench')!r}); import documents as d; "
            "from achats import create_app; app = create_app()\n"
            f"with app.app_context(): print('GROWTH ' + json.dumps(d.time_searches({info['documents']}, {queries!r})))")
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=True)
    large = json.loads(next(ln for ln in proc.stdout.splitlines() if ln.startswith("GROWTH "))[7:])
    info["growth"] = [*small, large]
    INFO.write_text(json.dumps(info, indent=1))
    for g in info["growth"]:
        print(g)


def insert_documents(start: int, count: int, pages: int, rng: random.Random) -> list[list[str]]:
    import sqlalchemy as sa

    from achats.auth.models import Organisation, User
    from achats.documents.indexing import CONTAINER
    from achats.documents.models import (
        Document,
        DocumentCpv,
        DocumentPage,
        DocumentTag,
        DocumentVersion,
    )
    from achats.documents.vocabulary import DocType, Famille, FileKind, Levier, Licence
    from achats.platform import search
    from achats.platform.db import utcnow
    from achats.platform.extensions import db
    from achats.platform.search.text import PAGE_BREAK
    from achats.platform.tags import Tag, TagFacet

    session = db.session
    users = list(session.scalars(sa.select(User.id).where(User.status == "active")))
    organisations = list(session.scalars(sa.select(Organisation.id)))
    themes = list(session.execute(sa.select(Tag.id, Tag.slug).where(Tag.facet == TagFacet.THEME)))
    words = lexicon()
    weights = [1 / (k + 1) ** 0.9 for k in range(len(words))]
    now = utcnow()
    cpv = {"travaux": ["45000000-7", "45262700-8", "45233140-2"], "fournitures": ["30192000-1", "39130000-2",
                                                                                "09310000-5", "34100000-8"],
           "services": ["90911200-8", "77310000-6", "55523100-3"]}
    batch = 200
    topics: list[list[str]] = []
    for offset in range(0, count, batch):
        n = min(batch, count - offset)
        docs, versions, page_rows, tag_rows, cpv_rows, entries = [], [], [], [], [], []
        first_id = (session.scalar(sa.select(sa.func.max(Document.id))) or 0) + 1
        first_version = (session.scalar(sa.select(sa.func.max(DocumentVersion.id))) or 0) + 1
        for k in range(n):
            doc_id, version_id = first_id + k, first_version + k
            number = start + offset + k
            famille = rng.choice(list(Famille))
            doc_type = rng.choice(list(DocType))
            published = now - timedelta(hours=number % 9000)
            theme = rng.sample(themes, 2)
            title = f"{doc_type.label.split(' — ')[0]} {rng.choice(SUBJECTS)} — {rng.choice(TOWNS)} n°{number}"
            # A document's technical words: 12 of the lexicon (Zipf-weighted), so that a rare word
            # is in a few percent of the documents and two of them together in a few documents.
            topic = list(dict.fromkeys(rng.choices(words, weights, k=12)))
            if k == 0:
                topics.append(topic)
            description = page_text(rng, topic, [1.0] * len(topic), famille.label.lower())[:400]
            texts = [page_text(rng, topic, [1.0] * len(topic), famille.label.lower()) for _ in range(pages)]
            docs.append({"id": doc_id, "slug": None, "title": title[:200], "description": description,
                         "description_html": f"<p>{description}</p>", "doc_type": doc_type, "famille": famille,
                         "levier": rng.choice(list(Levier)), "procedure": None,
                         "organisation_id": rng.choice(organisations), "year": rng.choice((2023, 2024, 2025, 2026)),
                         "licence": rng.choice((Licence.LICENCE_OUVERTE, Licence.LICENCE_OUVERTE, Licence.CC_BY)),
                         "source_url": None, "up_to_date_on": None, "needs_review": False, "visibility": "members",
                         "status": "published", "owner_id": rng.choice(users), "created_at": published,
                         "updated_at": published, "published_at": published, "current_version_id": None,
                         "download_count": rng.randint(0, 80), "source_thread_id": None, "source_post_id": None,
                         "hidden": False})
            versions.append({"id": version_id, "document_id": doc_id, "number": 1, "filename": f"document-{number}.pdf",
                             "storage_key": f"{version_id:032x}.pdf", "size": 180_000 + 6_000 * pages,
                             "file_kind": FileKind.PDF, "sha256": f"{number:064x}", "note": None,
                             "status": "published", "uploaded_by_id": docs[-1]["owner_id"], "created_at": published,
                             "redaction_confirmed_by_id": docs[-1]["owner_id"], "redaction_confirmed_at": published,
                             "reviewed_by_id": None, "reviewed_at": published, "rejection_reason": None,
                             "text_status": "done", "text_error": None, "page_count": pages, "preview_key": None})
            page_rows += [{"version_id": version_id, "number": i, "text": text} for i, text in enumerate(texts, 1)]
            tag_rows += [{"document_id": doc_id, "tag_id": tag_id} for tag_id, _slug in theme]
            code = rng.choice(cpv[famille.value])
            cpv_rows.append({"document_id": doc_id, "code": code, "division": code[:2]})
            entries.append(search.entry_row(
                kind="document", object_id=doc_id, title=title, body=PAGE_BREAK.join([description, *texts]),
                url=f"/bibliotheque/{doc_id}", created_at=published, container=CONTAINER,
                facets={"doc_type": doc_type.value, "tag": [slug for _id, slug in theme], "famille": famille.value,
                        "cpv": [code[:2]], "year": docs[-1]["year"], "org": docs[-1]["organisation_id"],
                        "licence": str(docs[-1]["licence"])},
                owner_id=docs[-1]["owner_id"], audience=search.MEMBERS, container_audience=search.PUBLIC, pages=True))
        session.execute(sa.insert(Document), docs)
        session.execute(sa.insert(DocumentVersion), versions)
        session.execute(sa.update(Document).where(Document.id.between(first_id, first_id + n - 1))
                        .values(current_version_id=Document.id - first_id + first_version))
        session.execute(sa.insert(DocumentPage), page_rows)
        session.execute(sa.insert(DocumentTag), tag_rows)
        session.execute(sa.insert(DocumentCpv), cpv_rows)
        search.index_entries(session, entries)
        session.commit()
    # The rows above carry their ids: the sequences must follow, or the next upload collides.
    for table in ("document", "document_version"):
        session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))"))
    session.execute(sa.text("ANALYZE"))
    session.commit()
    return topics


def time_searches(documents: int, selective: list[str]) -> dict[str, float]:
    """Median in-process time (ms) of the library's search (hits with snippets), cache off."""
    from achats.platform import search
    from achats.platform.extensions import db

    frequent = FREQUENT
    result = {"documents": documents}
    for name, queries in (("selective", selective), ("frequent", frequent)):
        times, facet_times = [], []
        for _round in range(3):
            for q in queries:
                t0 = time.perf_counter()
                search.search(db.session, q, viewer=search.MEMBER, types=["document"], limit=20)
                times.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                search.facet_counts(db.session, q, viewer=search.MEMBER, types=["document"])
                facet_times.append((time.perf_counter() - t0) * 1000)
        result[f"{name}_p50"] = statistics.median(times)
        result[f"{name}_p95"] = percentile(times, 95)
        result[f"{name}_facets_p50"] = statistics.median(facet_times)
    print(f"  search at {documents:,}: selective p50 {result['selective_p50']:.1f} ms, "
          f"frequent p50 {result['frequent_p50']:.1f} ms", flush=True)
    return result


# --- measuring ------------------------------------------------------------------------------------------


def member_cookies(env: dict[str, str], count: int = 8) -> list[dict[str, str]]:
    from load import _IDENTITIES_SCRIPT

    proc = subprocess.run([sys.executable, "-c", _IDENTITIES_SCRIPT, str(count), "0"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=True)
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    return [{"Cookie": f"achats_session={i['cookie']}"} for i in found]


def fifty_page_pdf() -> bytes:
    from achats.documents.demo.files import pdf_bytes

    rng = random.Random(50)
    words = lexicon()
    weights = [1 / (k + 1) ** 0.9 for k in range(len(words))]
    sections = [(f"Article {n}", [page_text(rng, words, weights, "travaux")[:2400]]) for n in range(1, 51)]
    return pdf_bytes("DCE de 50 pages", "Bench", sections)


def time_extraction(runs: int = 5) -> tuple[float, int]:
    from achats.documents.tasks import run_extractor

    data = fifty_page_pdf()
    times = []
    with tempfile.TemporaryDirectory(prefix="achats-extract-") as tmp:
        path = Path(tmp) / "dce.pdf"
        path.write_bytes(data)
        pages = 0
        for _ in range(runs):
            work = Path(tempfile.mkdtemp(dir=tmp))
            t0 = time.perf_counter()
            result, problem = run_extractor(path, "pdf", work)
            times.append(time.perf_counter() - t0)
            assert result is not None, problem
            pages = result["page_count"]
    return statistics.median(times), pages


_ENQUEUE_SCRIPT = """
import io, json, sys
from achats import create_app
from achats.platform.extensions import db
from achats.auth.models import User
from achats.documents import services
from sqlalchemy import select
count, path = int(sys.argv[1]), sys.argv[2]
app = create_app()
with app.app_context():
    owner = db.session.scalar(select(User).where(User.email == "acheteuse@achats.example"))
    ids = []
    for n in range(count):
        doc = services.create_document(db.session, owner, io.BytesIO(open(path, "rb").read()), f"dce-{n}.pdf",
                                       services.DocumentInput(title=f"DCE de 50 pages n°{n}", doc_type="cctp"),
                                       confirm_redaction=True)
        db.session.flush()
        ids.append(doc.id)
    db.session.commit()  # each version's extraction goes to the queue
print(json.dumps(ids))
"""


def healthz_during_extractions(env: dict[str, str], base: str, count: int, log_dir: Path) -> dict[str, object]:
    import sqlalchemy as sa

    def probe(seconds: float) -> list[float]:
        out: list[float] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            urllib.request.urlopen(f"{base}/healthz", timeout=10).read()
            out.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.02)
        return out

    idle = probe(5)
    pdf = log_dir / "dce.pdf"
    pdf.write_bytes(fifty_page_pdf())
    proc = subprocess.run([sys.executable, "-c", _ENQUEUE_SCRIPT, str(count), str(pdf)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode:
        raise SystemExit(f"enqueueing the extractions failed:\n{proc.stderr[-3000:]}")
    ids = json.loads(proc.stdout.strip().splitlines()[-1])
    engine = sa.create_engine(env["ACHATS_DATABASE_URL"])
    t0 = time.monotonic()
    during: list[float] = []
    pending = len(ids)
    while pending and time.monotonic() - t0 < 300:
        during += probe(1)
        with engine.connect() as conn:
            pending = conn.execute(sa.text(
                "SELECT count(*) FROM document_version WHERE document_id = ANY(:ids) AND text_status = 'pending'"),
                {"ids": ids}).scalar()
    elapsed = time.monotonic() - t0
    engine.dispose()
    return {"idle": idle, "during": during, "elapsed": elapsed, "count": count, "left": pending}


def measure(args: argparse.Namespace) -> None:
    info = json.loads(INFO.read_text())
    url = info["database_url"]
    queries = info["selective"] + FREQUENT
    with tempfile.TemporaryDirectory(prefix="achats-bench-library-") as tmp:
        log_dir = Path(tmp)
        port = free_port()
        env = bench_env(url, redis_url=REDIS_URL, port=port, workers=args.workers,
                        extra={"ACHATS_SEARCH_CACHE_SECONDS": "0", "ACHATS_UPLOAD_DIR": str(log_dir / "uploads"),
                               "ACHATS_EMBEDDED_WORKER": "true"})
        flush_redis(REDIS_URL)
        cookies = member_cookies(env)
        extraction, pages = time_extraction()
        wait_quiet()
        yardstick = reference_rps(args.workers, duration=args.duration // 2 or 5)
        rows = []
        with running("library", serve_cmd(port, args.workers), env, port, log_dir) as server:
            pages_list = ["/bibliotheque/", "/bibliotheque/?type=cctp", "/bibliotheque/?annee=2025",
                          "/bibliotheque/?famille=travaux", "/bibliotheque/?tri=telecharges",
                          "/bibliotheque/?page=2", "/bibliotheque/?cpv=45", "/bibliotheque/?tri=mis-a-jour&annee=2026"]
            for label, paths in (
                ("library page with facets", pages_list),
                ("search in the files, selective (page)", [f"/bibliotheque/?q={urllib.parse.quote(q)}"
                                                          for q in queries[:12]]),
                ("search in the files, frequent (page)", [f"/bibliotheque/?q={urllib.parse.quote(q)}"
                                                         for q in queries[12:]]),
                ("search in the files, API", [f"/api/v1/documents?q={urllib.parse.quote(q)}" for q in queries]),
            ):
                wrk(server.base + paths[0], duration=2, paths=paths, identities=cookies)
                wait_quiet()
                result = wrk(server.base + paths[0], duration=args.duration, paths=paths, identities=cookies)
                rows.append((label, result))
                print(f"{label:42} {result.row()}", flush=True)
            health = healthz_during_extractions(env, server.base, args.extractions, log_dir)

    print(f"\n# Library benchmarks — {today()}, {machine()}")
    print(f"{info['documents']:,} documents of {info['pages']} pages (PostgreSQL), `achats serve --workers "
          f"{args.workers}` (gunicorn + gevent, Redis), wrk -c16 -t2 -d{args.duration}s; search cache off.\n")
    print("| page | req/s | p50 ms | p95 ms | p99 ms | errors |\n|---|---|---|---|---|---|")
    print(f"| bare Flask yardstick | {yardstick:.0f} | | | | |")
    for label, r in rows:
        print(f"| {label} | {r.rps:.0f} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | {r.errors + r.non_2xx} |")
    print(f"\nText extraction of a {pages}-page PDF (child process, limits on): {extraction:.2f} s (median of 5)")
    idle, during = health["idle"], health["during"]
    print(f"/healthz idle: p50 {percentile(idle, 50):.1f} ms, p99 {percentile(idle, 99):.1f} ms; while the consumer "
          f"extracted {health['count']} PDFs of {pages} pages ({health['elapsed']:.0f} s, {health['left']} left): "
          f"p50 {percentile(during, 50):.1f} ms, p99 {percentile(during, 99):.1f} ms, max {max(during):.1f} ms "
          f"({len(during)} probes)")
    print("\nSearch time as the library grows (in-process, cache off, median of 3 rounds):\n")
    print("| documents | selective p50 ms | selective p95 ms | its facets p50 ms | frequent p50 ms | frequent p95 ms "
          "| its facets p50 ms |\n|---|---|---|---|---|---|---|")
    for g in info["growth"]:
        print(f"| {g['documents']:,} | {g['selective_p50']:.1f} | {g['selective_p95']:.1f} | "
              f"{g.get('selective_facets_p50', float('nan')):.1f} | {g['frequent_p50']:.1f} | {g['frequent_p95']:.1f} | "
              f"{g.get('frequent_facets_p50', float('nan')):.1f} |")


def main() -> None:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="recreate and fill the bench database")
    parser.add_argument("--growth", action="store_true", help="measure search time at 100, 1,000 and all documents")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--extractions", type=int, default=12)
    args = parser.parse_args()
    if args.build:
        build(args)
    elif args.growth:
        growth(args)
    else:
        print(WRK_HEADER)
        measure(args)


if __name__ == "__main__":
    main()
