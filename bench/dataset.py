"""The forum benchmark's data: 1,000 users, 20 categories, 10,000 threads, 100,000 posts.

    # PostgreSQL (the benchmark's target): (re)create the database `bench`, migrate, fill.
    .venv/bin/python bench/dataset.py --recreate
    # any database: ACHATS_DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python bench/dataset.py
    # smaller: --users 100 --threads 500 --posts 5000

Runs `achats init` on ACHATS_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/bench),
then writes with SQLAlchemy Core bulk inserts, in chunks, explicit ids (sequences are moved past
them afterwards). Realistic French procurement text from a small vocabulary; posts numbered 1..n per
thread, body_html a <p> per paragraph; thread post_count / last_post_id / last_activity_at / solved
consistent with the posts; 1-3 tags per thread. One thread (id 1) has 1,000 posts and threads 2-51
exactly 20 (the 20-post thread page of the load test). The search index is filled through the
search engine's bulk writer (the same rows `achats reindex` would write).

The first user is the bench account: bench@achats.example, password below, and an API token; the
credentials and the ids the load test needs are written to instance/bench-dataset.json.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import secrets
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench"
INFO_FILE = ROOT / "instance" / "bench-dataset.json"
BENCH_EMAIL = "bench@achats.example"
BENCH_PASSWORD = "banc-Essai-charge-2026!"  # bench data only
CHUNK = 5000

# --- vocabulary ---------------------------------------------------------------------------------

CATEGORIES = [
    ("guichet-vert", "Guichet vert", "Vos questions aux experts de l'achat durable.", True),
    ("clauses-environnementales", "Clauses environnementales", "Rédiger, exiger, contrôler.", False),
    ("criteres-attribution", "Critères d'attribution", "Pondération, notation, analyse des offres.", False),
    ("travaux-batiment", "Travaux et bâtiment", "Rénovation, construction, matériaux biosourcés.", False),
    ("energie", "Énergie", "Fourniture d'électricité, de gaz, performance énergétique.", False),
    ("restauration-collective", "Restauration collective", "EGalim, bio, circuits courts.", False),
    ("economie-circulaire", "Économie circulaire", "Réemploi, AGEC, reconditionné.", False),
    ("numerique-responsable", "Numérique responsable", "Matériel, indice de réparabilité, REEN.", False),
    ("mobilite", "Mobilité et véhicules", "Flottes, véhicules propres, vélos.", False),
    ("clauses-sociales", "Clauses sociales", "Insertion, marchés réservés, ESS.", False),
    ("espaces-verts", "Espaces verts et biodiversité", "Entretien, zéro phyto, gestion différenciée.", False),
    ("dechets", "Déchets", "Collecte, tri, valorisation.", False),
    ("fournitures", "Fournitures et mobilier", "Papier, mobilier, consommables.", False),
    ("entretien", "Produits d'entretien", "Nettoyage, écolabels, santé environnementale.", False),
    ("textile", "Textile et EPI", "Vêtements de travail, équipements de protection.", False),
    ("procedures", "Procédures et seuils", "MAPA, appels d'offres, seuils 2026-2027.", False),
    ("sourcage", "Sourçage et TPE/PME", "Allotissement, rencontres fournisseurs.", False),
    ("spaser", "SPASER et pilotage", "Schémas, indicateurs, données essentielles.", False),
    ("dce-modeles", "DCE et modèles", "Partage de pièces : RC, CCAP, CCTP, BPU.", False),
    ("vie-du-reseau", "Vie du réseau", "Annonces, webinaires, Assises de la commande publique.", False),
]

FAMILLES = [("travaux", "Travaux"), ("fournitures", "Fournitures"), ("services", "Services")]
PROCEDURES = [("mapa", "MAPA"), ("appel-offres", "Appel d'offres"), ("accord-cadre", "Accord-cadre"),
              ("marche-negocie", "Marché négocié")]
LEVIERS = [("definition-besoin", "Définition du besoin"), ("specification-technique", "Spécification technique"),
           ("critere-attribution", "Critère d'attribution"), ("condition-execution", "Condition d'exécution"),
           ("reservation", "Réservation")]

FIRST = ["Nathalie", "Marc", "Sophie", "Julien", "Claire", "Thomas", "Isabelle", "Nicolas", "Camille",
         "Pierre", "Élodie", "Laurent", "Aurélie", "François", "Hélène", "Sébastien", "Émilie", "Olivier",
         "Céline", "Mathieu", "Anne", "David", "Lucie", "Jérôme", "Marion", "Stéphane", "Pauline", "Benoît"]
LAST = ["Girard", "Lambert", "Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Simon", "Michel",
        "Lefèvre", "Roux", "Fournier", "Morel", "Mercier", "Blanc", "Guérin", "Faure", "Chevalier",
        "Perrin", "Garnier", "Bonnet", "Rousseau", "Vincent", "Muller", "Henry", "Gauthier"]
TOWNS = ["Dijon", "Besançon", "Auxerre", "Chalon-sur-Saône", "Nevers", "Belfort", "Vesoul", "Lons-le-Saunier",
         "Mâcon", "Sens", "Montbéliard", "Dole", "Beaune", "Autun", "Pontarlier", "Le Creusot", "Joigny"]
ORG_KINDS = [("commune", "Commune de"), ("epci", "Communauté de communes de"), ("hopital", "Centre hospitalier de"),
             ("eple", "Lycée de"), ("syndicat", "Syndicat des eaux de"), ("bailleur", "Habitat"),
             ("departement", "Département")]

SUBJECTS = ["la clause de réemploi", "le critère environnemental", "la pondération du prix",
            "l'allotissement", "le sourçage", "le bilan carbone", "l'indice de réparabilité",
            "les matériaux biosourcés", "la clause d'insertion", "le coût global", "les produits bio",
            "l'écolabel européen", "le label", "la variante environnementale", "le CCTP", "le CCAP",
            "le règlement de consultation", "le BPU", "la DPGF", "l'analyse des offres",
            "la performance énergétique", "le véhicule électrique", "le papier recyclé",
            "la gestion des déchets de chantier", "le marché réservé", "la sous-traitance",
            "les circuits courts", "le mobilier reconditionné", "les équipements numériques",
            "l'accord-cadre", "le seuil de procédure formalisée", "la loi Climat et Résilience",
            "le décret AGEC", "la loi EGalim", "le SPASER", "la durée de vie", "les emballages",
            "le nettoyage des locaux", "l'entretien des espaces verts", "la fourniture d'électricité"]
QUESTIONS = ["Comment rédiger {s} pour un marché de {f} ?", "Quelle pondération pour {s} ?",
             "Retour d'expérience sur {s} en {f}", "{S} : obligatoire depuis 2026 ?",
             "Exemple de clause pour {s}", "Contrôler {s} en cours d'exécution",
             "Peut-on exiger {s} dans un MAPA ?", "{S} et accès des PME", "Modèle de DCE avec {s}",
             "Justifier {s} devant la commission", "{S} : quels indicateurs suivre ?"]
OPENERS = ["Bonjour à tous,", "Bonjour,", "Chers collègues,", "Bonjour, question pratique :",
           "Merci pour vos retours.", "Pour compléter la réponse précédente,", "Chez nous,",
           "Bonne question.", "Pour information,", "Je rejoins ce qui a été dit :"]
SENTENCES = [
    "nous préparons un marché de {f} et nous souhaitons intégrer {s}.",
    "la commune a retenu un critère environnemental pondéré à 20 % face au prix à 50 %.",
    "le CCTP impose une part de matériaux issus du réemploi, contrôlée à la réception.",
    "l'analyse des offres s'appuie sur un mémoire technique noté sur 10.",
    "le bilan carbone du chantier est demandé au stade de l'offre, puis vérifié en exécution.",
    "nous avons alloti le marché pour permettre aux TPE et PME locales de répondre.",
    "la clause d'insertion porte sur 5 % des heures travaillées, suivie par le facilitateur.",
    "depuis le 21 août 2026 chaque marché doit comporter une considération environnementale.",
    "le seuil de procédure formalisée est de 216 000 € HT pour les fournitures et services.",
    "l'écolabel européen ou équivalent est accepté comme moyen de preuve.",
    "la restauration scolaire atteint 50 % de produits durables dont 20 % de bio.",
    "le coût global intègre la consommation d'énergie sur toute la durée de vie.",
    "un sourçage préalable auprès des fournisseurs a permis de calibrer les exigences.",
    "la variante environnementale a été autorisée sans être imposée.",
    "les candidats doivent fournir la fiche technique et le certificat du label.",
    "le mobilier reconditionné représente désormais une part importante de nos achats.",
    "l'indice de réparabilité est pris en compte pour les ordinateurs et les téléphones.",
    "nous suivons les indicateurs du SPASER dans le rapport annuel.",
    "la pénalité en cas de non-respect de la clause reste difficile à appliquer.",
    "le guichet vert nous a transmis un exemple de clause à adapter.",
    "attention à ne pas exiger une marque ou un label sans mention « ou équivalent ».",
    "la performance énergétique du bâtiment est un critère de la rénovation.",
    "les véhicules électriques sont intégrés au renouvellement de la flotte.",
    "le nettoyage des locaux utilise des produits écolabellisés et des microfibres.",
    "la gestion différenciée des espaces verts réduit les coûts d'entretien.",
    "les déchets de chantier font l'objet d'un suivi par bordereau.",
    "le papier recyclé est la règle pour les fournitures de bureau.",
    "la fourniture d'électricité d'origine renouvelable fait l'objet d'un lot séparé.",
    "les circuits courts sont favorisés par l'allotissement géographique.",
    "la durée du marché permet d'amortir l'investissement du titulaire.",
]
CLOSERS = ["Merci d'avance pour vos retours.", "Des collègues ont-ils un exemple ?",
           "Je peux partager notre CCTP si besoin.", "Bonne journée.", "À jour au début de l'année.",
           "N'hésitez pas si vous avez des questions.", "", "", ""]


# Word use in a forum is skewed: a few sentences and subjects are everywhere, most are rarer.
_SENTENCE_WEIGHTS = [1 / (k + 1) ** 0.6 for k in range(len(SENTENCES))]
_SUBJECT_WEIGHTS = [1 / (k + 1) ** 0.7 for k in range(len(SUBJECTS))]


def subject(rng: random.Random) -> str:
    return rng.choices(SUBJECTS, _SUBJECT_WEIGHTS)[0]


def paragraph(rng: random.Random, famille: str) -> str:
    sentences = [rng.choices(SENTENCES, _SENTENCE_WEIGHTS)[0].format(s=subject(rng), f=famille)
                 for _ in range(rng.randint(1, 3))]
    return " ".join(x[0].upper() + x[1:] for x in sentences)


def post_text(rng: random.Random, famille: str) -> list[str]:
    paras = [rng.choice(OPENERS) + " " + paragraph(rng, famille)]
    paras += [paragraph(rng, famille) for _ in range(rng.choice((0, 0, 1, 1, 2)))]
    closer = rng.choice(CLOSERS)
    if closer:
        paras.append(closer)
    return paras


def thread_sizes(rng: random.Random, threads: int, posts: int) -> list[int]:
    """Posts per thread: thread 1 has 1,000 (or what fits), threads 2-51 exactly 20, the rest a
    skewed distribution with at least 1, summing to `posts`."""
    sizes = [1] * threads
    remaining = posts - threads
    big = min(999, remaining // 4)
    sizes[0] += big
    remaining -= big
    for i in range(1, min(51, threads)):
        if remaining >= 19:
            sizes[i] = 20
            remaining -= 19
    rest = list(range(51, threads)) or list(range(1, threads))
    # A heavy tail: a few threads get many replies, most a handful.
    weights = [rng.paretovariate(1.3) for _ in rest]
    total = sum(weights)
    shares = [int(remaining * w / total) for w in weights]
    for i, share in zip(rest, shares, strict=True):
        sizes[i] += min(share, 400)
    leftover = posts - sum(sizes)
    while leftover > 0:
        i = rng.choice(rest)
        if sizes[i] < 400:
            sizes[i] += 1
            leftover -= 1
    return sizes


# --- writing ------------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    if not name.isidentifier():
        raise SystemExit(f"database name {name!r}: expected a plain identifier")
    admin = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    print(f"database {name} recreated")


def run_init(url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACHATS_")}
    env["ACHATS_DATABASE_URL"] = url
    env.setdefault("ACHATS_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    achats = str(Path(sys.executable).parent / "achats")
    subprocess.run([achats, "init"], env=env, check=True, capture_output=True, timeout=300)


def insert_chunks(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start:start + CHUNK])


def generate(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["ACHATS_DATABASE_URL"] = args.url
    os.environ.setdefault("ACHATS_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    from sqlalchemy import bindparam, func, select, text

    from achats import create_app
    from achats.auth.models import ApiToken, Organisation, User, UserTheme, hash_secret
    from achats.auth.passwords import hash_password
    from achats.forums.models import Category, Post, Thread, ThreadTag
    from achats.platform.extensions import db
    from achats.platform.tags import Tag, TagFacet
    from achats.platform.taxonomy import THEMES

    rng = random.Random(args.seed)
    app = create_app()
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=3 * 365)
    timings: dict[str, float] = {}

    with app.app_context():
        engine = db.engine
        if db.session.scalar(select(func.count()).select_from(Thread)):
            raise SystemExit("the database already has threads: use --recreate (PostgreSQL) or a fresh file")
        t0 = time.perf_counter()
        with engine.begin() as conn:
            # Organisations and users.
            orgs = []
            for i in range(1, args.users // 10 + 2):
                kind, prefix = rng.choice(ORG_KINDS)
                town = TOWNS[i % len(TOWNS)]
                orgs.append({"id": i, "name": f"{prefix} {town} {i}", "kind": kind, "siret": None,
                             "departement": rng.choice(["21", "25", "39", "58", "70", "71", "89", "90"]),
                             "verified": True, "created_at": start})
            insert_chunks(conn, Organisation.__table__, orgs)
            shared_hash = hash_password(secrets.token_urlsafe(16))  # nobody logs in as the others
            users, themes = [], []
            for i in range(1, args.users + 1):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                role = "expert" if i % 40 == 0 else "moderator" if i % 250 == 0 else "member"
                name = f"{first} {last}" if i > 1 else "Banc d'Essai"
                users.append({
                    "id": i, "email": BENCH_EMAIL if i == 1 else f"acheteur{i}@bench.achats.example",
                    "name": name, "handle": f"bench.{i}", "role": role, "status": "active",
                    "password_hash": hash_password(BENCH_PASSWORD) if i == 1 else shared_hash,
                    "organisation_id": rng.randint(1, len(orgs)), "session_token": secrets.token_urlsafe(24),
                    "email_confirmed_at": start, "approved_at": start, "email_notifications": False,
                    "created_at": start + timedelta(minutes=i), "job_title": "Acheteur public",
                })
                if role == "expert":
                    for slug in rng.sample(sorted(THEMES), 3):
                        themes.append({"user_id": i, "theme": slug})
            insert_chunks(conn, User.__table__, users)
            insert_chunks(conn, UserTheme.__table__, themes)
            token = ApiToken.PREFIX + secrets.token_urlsafe(32)
            conn.execute(ApiToken.__table__.insert(), [{
                "user_id": 1, "name": "bench", "token_hash": hash_secret(token), "prefix": token[:10],
                "created_at": now}])

            # Categories and tags.
            cats = CATEGORIES[: args.categories]
            insert_chunks(conn, Category.__table__, [
                {"id": i, "slug": slug, "name": name, "description": desc, "position": i, "is_desk": desk,
                 "created_at": start} for i, (slug, name, desc, desk) in enumerate(cats, 1)])
            # `achats init` already created the taxonomy's tags: reuse them, add only what is missing.
            existing = {slug: (tid, str(facet)) for tid, slug, facet in conn.execute(
                select(Tag.id, Tag.slug, Tag.facet))}
            next_id = max((tid for tid, _ in existing.values()), default=0) + 1
            tags: list[dict[str, Any]] = []
            missing: list[dict[str, Any]] = []
            for facet, items in ((TagFacet.THEME, list(THEMES.items())), (TagFacet.FAMILLE, FAMILLES),
                                 (TagFacet.PROCEDURE, PROCEDURES), (TagFacet.LEVIER, LEVIERS)):
                for pos, (slug, name) in enumerate(items):
                    if slug in existing:
                        tags.append({"id": existing[slug][0], "slug": slug, "facet": facet.value})
                        continue
                    row = {"id": next_id, "slug": slug, "name": name, "facet": facet.value, "position": pos}
                    next_id += 1
                    missing.append(row)
                    tags.append(row)
            insert_chunks(conn, Tag.__table__, missing)
            theme_tag_ids = [t["id"] for t in tags if t["facet"] == "theme"]
            famille_tags = {t["slug"]: t["id"] for t in tags if t["facet"] == "famille"}
            other_tag_ids = [t["id"] for t in tags if t["facet"] in ("procedure", "levier")]
        timings["users, categories, tags"] = time.perf_counter() - t0

        # Threads and posts, generated in memory (ids known in advance), then bulk-inserted.
        t0 = time.perf_counter()
        sizes = thread_sizes(rng, args.threads, args.posts)
        experts = [u["id"] for u in users if u["role"] == "expert"] or [1]
        tag_slugs = {t["id"]: t["slug"] for t in tags}
        threads, posts, thread_tags, index_rows = [], [], [], []
        post_id = 0
        for tid in range(1, args.threads + 1):
            cat_id = 1 + (tid * 7) % len(cats) if tid > 51 else 2 + tid % max(1, len(cats) - 1)
            if tid == 1:
                cat_id = 1
            famille = rng.choice(FAMILLES)
            topic = subject(rng)
            title = rng.choice(QUESTIONS).format(s=topic, S=topic[0].upper() + topic[1:],
                                                 f=famille[1].lower())[:200]
            kind = "question" if rng.random() < 0.4 or cats[cat_id - 1][3] else "discussion"
            created = start + timedelta(seconds=rng.randint(0, int((now - start).total_seconds()) - 86400 * 30))
            author = rng.randint(1, args.users)
            chosen = {famille_tags[famille[0]], *rng.sample(theme_tag_ids, rng.randint(1, 2))}
            if rng.random() < 0.3:
                chosen.add(rng.choice(other_tag_ids))
            for tag_id in sorted(chosen):
                thread_tags.append({"thread_id": tid, "tag_id": tag_id})
            moment = created
            accepted_number = rng.randint(2, sizes[tid - 1]) if kind == "question" and sizes[tid - 1] > 1 \
                and rng.random() < 0.5 else None
            first_expert_at = None
            for number in range(1, sizes[tid - 1] + 1):
                post_id += 1
                if number > 1:
                    moment = moment + timedelta(minutes=rng.randint(5, 60 * 24 * 3))
                    moment = min(moment, now)
                poster = author if number == 1 else rng.choice(experts) if rng.random() < 0.1 else rng.randint(1, args.users)
                by_expert = poster in experts and number > 1
                if by_expert and first_expert_at is None:
                    first_expert_at = moment
                paras = post_text(rng, famille[1].lower())
                if number == 1:
                    paras[0] = f"{paras[0]} Notre question porte sur {topic}."
                body = "\n\n".join(paras)
                accepted = number == accepted_number
                posts.append({
                    "id": post_id, "thread_id": tid, "number": number, "author_id": poster, "reply_to_id": None,
                    "body": body, "body_html": "".join(f"<p>{html.escape(p, quote=False)}</p>\n" for p in paras),
                    "created_at": moment, "edited_at": None, "deleted_at": None, "hidden": False,
                    "by_expert": by_expert, "accepted": accepted, "accepted_by_id": author if accepted else None,
                    "accepted_at": moment + timedelta(hours=2) if accepted else None,
                    "up_to_date_on": date(2026, 1, 1) if by_expert else None, "needs_review": False,
                    "useful_count": rng.randint(0, 3) if by_expert else 0,
                })
                if args.search:
                    tag_list = [tag_slugs[t] for t in sorted(chosen)]
                    facets = {"category": cat_id, "tag": tag_list,
                              "solved": (accepted_number is not None) if kind == "question" else None}
                    if number == 1:  # the thread's own entry (title and opening post)
                        index_rows.append(dict(
                            kind="thread", object_id=tid, title=title, body=body, url=f"/forums/sujets/{tid}",
                            container=("thread", tid), facets=facets, owner_id=poster, created_at=created))
                    # every message, the opening one as its thread's shadow (as achats/forums/indexing.py)
                    index_rows.append(dict(
                        kind="post", object_id=post_id, title=title, body=body,
                        url=f"/forums/sujets/{tid}#message-{number}", container=("thread", tid), facets=facets,
                        owner_id=poster, created_at=created if number == 1 else moment, shadow=number == 1))
            desk = cats[cat_id - 1][3]
            solved = accepted_number is not None
            threads.append({
                "id": tid, "category_id": cat_id, "author_id": author, "title": title, "kind": kind,
                "pinned": tid % 997 == 0, "locked": False, "archived": False, "hidden": False,
                "created_at": created, "last_activity_at": moment, "post_count": sizes[tid - 1],
                "last_post_id": None, "solved": solved,
                "desk_status": ("resolue" if solved else "repondue" if first_expert_at else "nouvelle") if desk else None,
                "assigned_expert_id": None, "taken_at": None,
                "first_expert_answer_at": first_expert_at if desk else None,
                "_last_post_id": post_id,
            })
        timings["generate in memory"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        last_ids = [{"b_id": t["id"], "b_last": t.pop("_last_post_id")} for t in threads]
        with engine.begin() as conn:
            insert_chunks(conn, Thread.__table__, threads)
            insert_chunks(conn, ThreadTag.__table__, thread_tags)
            insert_chunks(conn, Post.__table__, posts)
            table = Thread.__table__
            stmt = table.update().where(table.c.id == bindparam("b_id")).values(last_post_id=bindparam("b_last"))
            for s in range(0, len(last_ids), CHUNK):
                conn.execute(stmt, last_ids[s:s + CHUNK])
            if engine.dialect.name == "postgresql":
                for tbl in ("organisation", "user", "api_token", "forum_category", "tag",
                            "forum_thread", "forum_post"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{tbl}\"', 'id'), "
                                      f"(SELECT max(id) FROM \"{tbl}\"))"))
        timings["insert threads and posts"] = time.perf_counter() - t0

        indexed = 0
        if args.search:
            t0 = time.perf_counter()
            try:
                from achats.platform.search import entry_row, index_entries
            except ImportError:
                entry_row = index_entries = None
            if index_entries is not None:
                session = db.session
                for s in range(0, len(index_rows), CHUNK):
                    indexed += index_entries(session, (entry_row(**r) for r in index_rows[s:s + CHUNK]))
                    session.commit()
            timings["search index"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
            else:
                conn.execute(text("ANALYZE"))
                conn.commit()
        timings["analyze"] = time.perf_counter() - t0

        twenty = [t["id"] for t in threads if t["post_count"] == 20][:50]
        category_slug = cats[1][0] if len(cats) > 1 else cats[0][0]
        info = {
            "database_url": args.url, "email": BENCH_EMAIL, "password": BENCH_PASSWORD, "token": token,
            "user_id": 1, "long_thread_id": 1, "twenty_post_thread_ids": twenty,
            "category_slug": category_slug, "search_query": args.query,
            "counts": {"users": args.users, "categories": len(cats), "threads": args.threads,
                       "posts": len(posts), "thread_tags": len(thread_tags), "search_entries": indexed},
            "timings_s": {k: round(v, 1) for k, v in timings.items()},
        }
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("ACHATS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--recreate", action="store_true", help="DROP and CREATE the PostgreSQL database first")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--categories", type=int, default=20)
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-search", dest="search", action="store_false", help="leave the search index empty")
    parser.add_argument("--query", default="papier recyclé", help="the two-word search of the load test")
    args = parser.parse_args()
    if args.posts < args.threads:
        raise SystemExit("--posts must be at least --threads (every thread has its opening post)")
    args.categories = max(1, min(args.categories, len(CATEGORIES)))
    started = time.perf_counter()
    if args.recreate:
        if not args.url.startswith("postgresql"):
            raise SystemExit("--recreate is for PostgreSQL; for SQLite give a new file")
        recreate_database(args.url)
    run_init(args.url)
    info = generate(args)
    info["timings_s"]["total"] = round(time.perf_counter() - started, 1)
    INFO_FILE.parent.mkdir(parents=True, exist_ok=True)
    INFO_FILE.write_text(json.dumps(info, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in info.items() if k not in ("password", "token")}, indent=2,
                     ensure_ascii=False))
    print(f"credentials and ids: {INFO_FILE}")


if __name__ == "__main__":
    main()
