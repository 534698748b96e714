"""Demo forum content: categories, tags and the threads buyers and experts wrote (in French).

Times are given relative to the seeding moment: `days_ago` for a thread, `hours` after it for a reply.
`{thread}` in a body is replaced by the thread's id (quote links). Expert answers to questions get the
desk's reminder appended by the seeder.
"""

from __future__ import annotations

from typing import Any

ELISE = "experte@achats.example"
KARIM = "expert@achats.example"
NATHALIE = "acheteuse@achats.example"
MARC = "secretaire@achats.example"
JULIEN = "acheteur@achats.example"
CLAIRE = "hopital@achats.example"
THOMAS = "lycee@achats.example"
VALERIE = "cc-jura@achats.example"
SOPHIE = "moderatrice@achats.example"

DESK_REMINDER = (
    "*Orientation de premier niveau du guichet vert, à jour à la date indiquée : ce n'est pas un conseil "
    "juridique. Le guichet ne relit pas les DCE, ne rédige pas vos pièces et ne recommande pas de fournisseurs ; "
    "pour sécuriser votre dossier, voyez votre service juridique ou votre conseil.*"
)

# slug, name, description, position, is_desk
CATEGORIES: list[tuple[str, str, str, int, bool]] = [
    ("guichet-vert", "Guichet vert",
     "Posez ici vos questions aux experts du guichet vert de l'agence : comment intégrer une considération "
     "environnementale dans un marché, quel critère, quelle clause, quels exemples de pièces. Un expert prend "
     "en charge chaque question et y répond sur la plateforme. Le guichet donne une orientation de premier "
     "niveau, des exemples et des contacts entre acheteurs ; il ne donne pas de conseil juridique, ne relit "
     "ni ne corrige de DCE, ne rédige pas vos documents et ne recommande aucun fournisseur.",
     1, True),
    ("vie-du-reseau", "Vie du réseau",
     "Présentations, annonces de l'agence, retours sur les webinaires et les Assises, recherche de "
     "collègues qui ont déjà passé un marché comparable.", 2, False),
    ("energie-et-batiment", "Énergie et bâtiment",
     "Rénovation énergétique, construction bas-carbone, matériaux biosourcés, fourniture d'énergie.", 3, False),
    ("economie-circulaire-et-dechets", "Économie circulaire et déchets",
     "Réemploi, réutilisation, matières recyclées (article 58 de la loi AGEC), gestion et traçabilité des "
     "déchets.", 4, False),
    ("alimentation-durable-et-egalim", "Alimentation durable et EGalim",
     "Restauration scolaire et collective : objectifs EGalim, produits bio et de qualité, approvisionnement "
     "de proximité, lutte contre le gaspillage.", 5, False),
    ("numerique-responsable", "Numérique responsable",
     "Matériel reconditionné, indice de réparabilité, durée de vie, sobriété des services numériques.", 6, False),
    ("clauses-sociales-et-marches-reserves", "Clauses sociales et marchés réservés",
     "Clauses d'insertion, marchés réservés aux structures de l'ESS et du handicap, facilitateurs, droits "
     "humains dans la chaîne d'approvisionnement.", 7, False),
    ("pilotage-spaser-et-cout-global", "Pilotage, SPASER et coût global",
     "Schéma de promotion des achats responsables, indicateurs, données essentielles, coût du cycle de vie.",
     8, False),
    ("fournitures-entretien-et-textiles", "Fournitures, entretien et textiles",
     "Mobilier, papier et fournitures, produits d'entretien et santé environnementale, textiles et EPI.", 9, False),
    ("mobilite-biodiversite-et-eau", "Mobilité, biodiversité et eau",
     "Flottes de véhicules, logistique bas-carbone, espaces verts et biodiversité, gestion de l'eau.", 10, False),
    ("procedures-sourcage-et-pme", "Procédures, sourçage et accès des PME",
     "Seuils, MAPA, accords-cadres, allotissement, sourçage et dialogue avec les entreprises du territoire.",
     11, False),
]

def R(author: str, hours: float, body: str, **options: Any) -> dict[str, Any]:  # noqa: N802 - reads like data
    return {"author": author, "hours": hours, "body": body, **options}


THREADS: list[dict[str, Any]] = [
    # --- Guichet vert ---------------------------------------------------------------------------
    {
        "category": "guichet-vert", "author": NATHALIE, "days_ago": 96, "kind": "question",
        "title": "Pondération minimale du critère environnemental pour un MAPA de fournitures ?",
        "tags": ["mobilier-fournitures", "fournitures", "mapa", "critere-d-attribution", "cpv-39"],
        "body": "Bonjour,\n\nNous relançons un MAPA de fournitures de bureau (environ 80 000 € HT sur deux ans). "
                "Depuis le 21 août 2026, il nous faut au moins un critère environnemental. Existe-t-il une "
                "pondération minimale ? Notre direction propose 5 %, cela me paraît faible.\n\nMerci !",
        "replies": [
            R(KARIM, 20, "Bonjour Nathalie,\n\nLe code de la commande publique ne fixe pas de pondération "
              "minimale. Ce qui compte, c'est que le critère soit :\n\n1. **lié à l'objet du marché** (par exemple "
              "la part de produits à contenu recyclé, les emballages, la reprise des consommables) ;\n"
              "2. **défini précisément**, avec sa méthode de notation annoncée dans le RC ;\n"
              "3. **capable de départager les offres**.\n\nUn critère à 5 % respecte la lettre de l'obligation "
              "mais départage rarement quoi que ce soit. Dans les exemples partagés sur la plateforme, les "
              "acheteurs retiennent plutôt entre 15 et 30 % pour des fournitures courantes, avec des sous-critères "
              "notés sur des éléments vérifiables (fiches techniques, labels ou équivalents).\n\nVous pouvez aussi "
              "combiner avec une spécification technique (papier recyclé exigé au CCTP), qui joue sans pondération.",
              accepted=True),
            R(NATHALIE, 30, "Merci, c'est très clair. Nous partons sur 20 % avec deux sous-critères, "
              "et le papier recyclé passe dans le CCTP."),
        ],
    },
    {
        "category": "guichet-vert", "author": MARC, "days_ago": 58, "kind": "question",
        "title": "Marché de moins de 60 000 € HT sans publicité : peut-on encore choisir au seul prix ?",
        "tags": ["services", "mapa", "critere-d-attribution", "condition-d-execution", "commune"],
        "body": "Bonjour,\n\nJe suis secrétaire de mairie dans une commune de 600 habitants. Pour un petit "
                "contrat d'entretien de la chaudière de la salle des fêtes (environ 4 000 € HT par an), je "
                "demande trois devis. Depuis le 21 août 2026, ai-je le droit de retenir simplement le moins "
                "cher ? On m'a dit que « le prix seul, c'est fini ».",
        "replies": [
            R(ELISE, 28, "Bonjour Marc,\n\nDeux obligations de la loi Climat et Résilience (article 35) "
              "s'appliquent aux consultations lancées depuis le 21 août 2026 :\n\n- une **considération "
              "environnementale dans les conditions d'exécution** ;\n- au moins **un critère d'attribution "
              "environnemental**, ce qui exclut le prix comme critère unique.\n\nEn dessous de 60 000 € HT, "
              "vous pouvez conclure sans publicité ni mise en concurrence préalables, mais dès que vous "
              "comparez des devis, notre lecture est de le faire avec une grille simple : par exemple 80 % "
              "prix, 20 % environnement (déplacements optimisés, pièces d'origine reconditionnées, reprise des "
              "pièces usagées). Une ligne dans la demande de devis suffit à l'annoncer.\n\nSur ce point précis "
              "du seuil, faites valider votre pratique par votre service juridique ou le centre de gestion."),
            R(NATHALIE, 31, "> **Marc Lambert** a écrit ([message n°1](/forums/sujets/{thread}#message-1)) :\n"
              "> ai-je le droit de retenir simplement le moins cher ?\n\nNous avons eu la même question en "
              "interne. Nous avons ajouté à nos modèles de demande de devis un paragraphe type « critères de "
              "choix : prix 70 %, engagements environnementaux 30 % » : les entreprises s'y sont faites très "
              "vite. Je peux vous envoyer le modèle."),
            R(MARC, 34, "Merci à toutes les deux. @nathalie.girard, je veux bien le modèle !"),
        ],
    },
    {
        "category": "guichet-vert", "author": CLAIRE, "days_ago": 84, "kind": "question",
        "title": "CCTP de nettoyage des locaux : exiger des produits écolabellisés sans fermer la concurrence",
        "tags": ["produits-entretien", "services", "specification-technique", "appel-d-offres", "cpv-90", "hopital"],
        "body": "Bonjour,\n\nNous préparons l'appel d'offres de nettoyage des locaux administratifs du centre "
                "hospitalier. Je voudrais imposer des produits écolabellisés dans le CCTP. Puis-je citer "
                "l'Écolabel européen, ou est-ce discriminatoire ?",
        "replies": [
            R(ELISE, 22, "Bonjour Claire,\n\nVous pouvez exiger un label dans les spécifications techniques à "
              "condition que ses exigences soient liées à l'objet du marché, objectives et accessibles, et "
              "que vous **acceptiez les labels équivalents** ainsi que tout autre moyen de preuve approprié "
              "quand l'entreprise n'a pas pu obtenir le label pour des raisons qui ne lui sont pas imputables. "
              "La formule « écolabel européen ou équivalent » est donc la bonne.\n\nQuelques points souvent "
              "oubliés :\n\n- prévoir la **liste des produits** et leurs fiches de données de sécurité dans le "
              "mémoire technique ;\n- encadrer le **dosage** (centrales de dilution) ;\n- exclure les produits "
              "parfumés dans les zones sensibles ;\n- prévoir la formation des agents de l'entreprise.\n\nLe "
              "[CCTP de nettoyage de Grand Besançon](/bibliotheque/d/cctp-nettoyage-ecolabel), dans la bibliothèque, "
              "contient un exemple de rédaction.", accepted=True),
            R(CLAIRE, 40, "Parfait, merci. Je retiens aussi l'idée des centrales de dilution."),
        ],
    },
    {
        "category": "guichet-vert", "author": JULIEN, "days_ago": 47, "kind": "question",
        "title": "Calculer la part AGEC (article 58) pour l'achat de mobilier de bureau",
        "tags": ["economie-circulaire", "mobilier-fournitures", "fournitures", "definition-du-besoin", "cpv-39",
                 "departement"],
        "body": "Bonjour,\n\nLe département renouvelle le mobilier de deux sites. Comment calcule-t-on la part "
                "issue du réemploi, de la réutilisation ou intégrant des matières recyclées ? Sur le montant "
                "HT total du marché, ou par catégorie de produits ?",
        "replies": [
            R(ELISE, 26, "Bonjour Julien,\n\nL'obligation s'apprécie **par catégorie de produits** fixée par le "
              "décret n° 2024-134 (17 catégories, en vigueur depuis le 1er juillet 2024), et sur la dépense "
              "annuelle de l'acheteur pour cette catégorie, pas marché par marché. Pour le mobilier :\n\n"
              "1. isolez les dépenses annuelles de la catégorie « mobilier » ;\n2. identifiez la part issue du "
              "réemploi ou de la réutilisation, et celle intégrant des matières recyclées ;\n3. comparez aux "
              "pourcentages du décret.\n\nEn pratique, un **lot dédié au mobilier de réemploi** (ou une "
              "variante) facilite beaucoup le suivi, et demander dans le BPU une colonne « origine » (neuf, "
              "reconditionné, recyclé) vous donne les chiffres sans ressaisie."),
            R(JULIEN, 30, "Merci. La colonne « origine » dans le BPU est une très bonne idée."),
        ],
    },
    {
        "category": "guichet-vert", "author": VALERIE, "days_ago": 70, "kind": "question",
        "title": "Allotir géographiquement la restauration scolaire pour 25 communes rurales",
        "tags": ["alimentation-egalim", "tpe-pme-sourcage", "services", "allotissement", "accord-cadre", "cpv-55",
                 "epci"],
        "body": "Bonjour,\n\nNotre communauté de communes (25 communes, 14 écoles) reprend la compétence "
                "restauration scolaire. Nous hésitons entre un lot unique et des lots géographiques pour "
                "laisser une chance aux cuisines et producteurs locaux. Des retours ?",
        "replies": [
            R(ELISE, 30, "Bonjour Valérie,\n\nL'allotissement est la règle ; le découpage géographique est "
              "légitime s'il correspond à une réalité de service (trajets de livraison, cuisines existantes, "
              "bassins de vie). Quelques repères :\n\n- partez des **cuisines et des trajets** plutôt que des "
              "limites communales ;\n- vérifiez que chaque lot reste **économiquement viable** ;\n- vous ne "
              "pouvez pas réserver un lot aux entreprises « locales », mais des lots de taille modeste et des "
              "exigences de fraîcheur, de saisonnalité et de circuits courts (un intermédiaire au plus) "
              "ouvrent la porte aux acteurs du territoire ;\n- un lot séparé pour certaines denrées (pain, "
              "produits laitiers) est aussi une piste.", accepted=True),
            R(THOMAS, 33, "Retour du lycée : nous avons trois lots (épicerie, produits frais, pain) et le lot "
              "pain a été remporté par deux boulangers du secteur. Le lot « produits frais » en accord-cadre "
              "multi-attributaire fonctionne bien aussi.", accepted=True),
            R(VALERIE, 50, "Merci à vous deux, nous partons sur quatre lots par secteur de cuisine. Notre "
              "règlement de consultation est dans la bibliothèque : [allotissement EGalim de la restauration "
              "scolaire](/bibliotheque/d/egalim-allotissement-restauration)."),
        ],
    },
    {
        "category": "guichet-vert", "author": JULIEN, "days_ago": 39, "kind": "question",
        "title": "Clause de tri et de traçabilité des déchets de chantier",
        "tags": ["dechets", "construction-bas-carbone", "travaux", "condition-d-execution", "cpv-45", "ccap"],
        "body": "Bonjour,\n\nPour la réhabilitation d'un collège, je cherche une clause d'exécution sur le tri "
                "des déchets de chantier et leur traçabilité jusqu'à l'exutoire. Avez-vous un exemple ?",
        "replies": [
            R(KARIM, 18, "Bonjour Julien,\n\nUne clause d'exécution efficace tient en quatre points :\n\n"
              "1. un **schéma d'organisation et de gestion des déchets** remis avec l'offre puis actualisé ;\n"
              "2. le **tri à la source** sur au moins les flux bois, métaux, plâtre, minéraux, plastiques et "
              "cartons ;\n3. la **traçabilité** : bordereaux de suivi et justificatifs de l'exutoire transmis "
              "à chaque situation mensuelle ;\n4. des **pénalités** proportionnées en cas de manquement, et "
              "un bilan en fin de chantier.\n\nRattachez-la au CCAP et renvoyez au CCTP pour le détail des "
              "flux. Un exemple est dans la bibliothèque : [clause de tri et de traçabilité des déchets de "
              "chantier](/bibliotheque/d/clause-tracabilite-dechets-chantier).", accepted=True),
        ],
    },
    {
        "category": "guichet-vert", "author": THOMAS, "days_ago": 33, "kind": "question",
        "title": "Ordinateurs reconditionnés : passer par une centrale d'achat ou consulter directement ?",
        "tags": ["numerique-responsable", "economie-circulaire", "fournitures", "definition-du-besoin", "cpv-30",
                 "eple"],
        "body": "Bonjour,\n\nLe lycée doit remplacer 60 postes. Nous aimerions du reconditionné. Vaut-il mieux "
                "passer par une centrale d'achat qui propose une offre reconditionnée, ou lancer notre propre "
                "consultation ?",
        "replies": [
            R(KARIM, 24, "Bonjour Thomas,\n\nLes deux voies sont possibles ; la question est surtout celle du "
              "besoin et du temps dont vous disposez.\n\n- **Centrale d'achat** : vous êtes dispensé de "
              "procédure, c'est rapide ; vérifiez le grade de reconditionnement, la garantie (au moins "
              "12 mois), la batterie et l'effacement certifié des données.\n- **Consultation directe** : "
              "plus de travail, mais vous définissez vous-même ces exigences, vous pouvez allotir (postes, "
              "écrans) et ouvrir à des structures de l'ESS du reconditionnement.\n\nDans les deux cas, "
              "anticipez la **reprise des anciens postes** pour réemploi.", accepted=True),
            R(JULIEN, 26, "Le département a fait les deux : centrale pour l'urgence, consultation pour le "
              "renouvellement annuel. Le lycée des Arcades a partagé son [RC ordinateurs "
              "reconditionnés](/bibliotheque/d/rc-informatique-reconditionnee) dans la bibliothèque."),
        ],
    },
    {
        "category": "guichet-vert", "author": MARC, "days_ago": 3, "kind": "question",
        "title": "Atteindre 50 % de produits durables dont 20 % de bio dans une petite cantine",
        "tags": ["alimentation-egalim", "fournitures", "definition-du-besoin", "cpv-15", "commune"],
        "body": "Bonjour,\n\nNotre cantine sert 45 repas par jour, préparés sur place. Nous achetons surtout "
                "chez un grossiste. Comment atteindre les objectifs EGalim sans exploser le budget ?",
        "desk": ("taken", ELISE, 20),
        "replies": [],
    },
    {
        "category": "guichet-vert", "author": CLAIRE, "days_ago": 1, "kind": "question",
        "title": "Indice de réparabilité : comment le noter dans l'analyse des offres de smartphones ?",
        "tags": ["numerique-responsable", "fournitures", "critere-d-attribution", "cpv-32", "hopital"],
        "body": "Bonjour,\n\nNous renouvelons la flotte de smartphones des équipes mobiles. Je voudrais tenir "
                "compte de l'indice de réparabilité. Faut-il en faire un sous-critère noté, ou fixer un seuil "
                "minimal dans le CCTP ?",
        "replies": [],
    },
    {
        "category": "guichet-vert", "author": VALERIE, "days_ago": 26, "kind": "question",
        "title": "Clause d'insertion dans un marché de travaux de voirie : combien d'heures demander ?",
        "tags": ["clauses-sociales", "travaux", "condition-d-execution", "cpv-45", "epci"],
        "body": "Bonjour,\n\nNous lançons un marché de travaux de voirie d'environ 900 000 € HT. Nous "
                "souhaitons une clause d'insertion. Comment fixer le nombre d'heures ?",
        "replies": [
            R(KARIM, 30, "Bonjour Valérie,\n\nLa pratique courante consiste à partir de la **part de main-d'œuvre** "
              "du marché, puis à en réserver une fraction à l'insertion (souvent de 5 à 7 % des heures "
              "travaillées en voirie). Le plus sûr est de **faire calibrer les heures par le facilitateur** "
              "de votre territoire : il connaît les publics, les structures d'insertion et assure le suivi.\n\n"
              "Prévoyez dans le CCAP les modalités de justification mensuelle et une pénalité par heure non "
              "réalisée."),
        ],
    },
    {
        "category": "guichet-vert", "author": NATHALIE, "days_ago": 150, "kind": "question",
        "title": "À partir de quel montant une procédure formalisée pour nos fournitures ?",
        "tags": ["fournitures", "appel-d-offres", "mapa", "epci"],
        "body": "Bonjour,\n\nPour la métropole, à partir de quel montant devons-nous passer en appel d'offres "
                "pour des fournitures ?",
        "replies": [
            R(KARIM, 6, "Bonjour Nathalie,\n\nPour les collectivités territoriales, le seuil de procédure "
              "formalisée en fournitures et services est de **221 000 € HT** (valeur 2024-2025), et de "
              "5 538 000 € HT pour les travaux. En dessous, MAPA.", accepted=True, review=True),
            R(SOPHIE, 2000, "Pour information : les seuils ont changé pour 2026-2027 (216 000 € HT pour les "
              "fournitures et services des collectivités, 5 404 000 € HT pour les travaux). La réponse ci-dessus "
              "est marquée « à revoir » en attendant sa mise à jour par le guichet."),
        ],
    },
    {
        "category": "guichet-vert", "author": MARC, "days_ago": 2, "kind": "question",
        "title": "Condition d'exécution environnementale pour l'entretien des espaces verts communaux",
        "tags": ["biodiversite", "services", "condition-d-execution", "mapa", "cpv-77", "commune"],
        "body": "Bonjour,\n\nQuelle condition d'exécution environnementale simple pour un marché d'entretien "
                "des espaces verts (tonte, taille, désherbage) de 12 000 € HT par an ?",
        "replies": [],
    },
    {
        "category": "guichet-vert", "author": THOMAS, "days_ago": 6, "kind": "question",
        "title": "Papier : critère sur le contenu recyclé ou exigence d'un label ?",
        "tags": ["mobilier-fournitures", "fournitures", "specification-technique", "cpv-30", "eple"],
        "body": "Bonjour,\n\nPour le papier de reprographie du lycée, vaut-il mieux exiger un papier 100 % "
                "recyclé dans le CCTP ou noter le contenu recyclé dans un critère ?",
        "desk": ("taken", KARIM, 30),
        "replies": [
            R(NATHALIE, 8, "Chez nous : 100 % recyclé exigé au CCTP, et le critère environnemental porte "
              "sur les emballages et la livraison groupée. Simple et efficace."),
        ],
    },
    # --- Vie du réseau --------------------------------------------------------------------------
    {
        "category": "vie-du-reseau", "author": SOPHIE, "days_ago": 120, "kind": "discussion", "pinned": True,
        "title": "Bienvenue sur la plateforme : présentez-vous !",
        "tags": [],
        "body": "Bonjour à toutes et à tous,\n\nCette plateforme est la vôtre : posez vos questions, partagez "
                "vos pièces de marché (anonymisées) et vos retours d'expérience. Pour commencer, "
                "présentez-vous en quelques lignes : votre organisme, vos achats, ce que vous aimeriez trouver "
                "ici.\n\nLes questions aux experts se posent dans la catégorie **Guichet vert**.",
        "replies": [
            R(NATHALIE, 5, "Nathalie, responsable de la commande publique à Grand Besançon Métropole. "
              "Je m'intéresse surtout aux produits d'entretien et au coût global."),
            R(MARC, 30, "Marc, secrétaire de mairie dans le Jura. Je fais tous les achats de la commune… "
              "entre deux conseils municipaux. Je cherche surtout des modèles simples."),
            R(THOMAS, 52, "Thomas, gestionnaire d'un lycée à Dijon : restauration, informatique, entretien."),
            R(VALERIE, 75, "Valérie, DGS d'une communauté de communes du Haut-Jura. Restauration scolaire et "
              "clauses sociales au programme cette année."),
        ],
    },
    {
        "category": "vie-du-reseau", "author": SOPHIE, "days_ago": 44, "kind": "discussion",
        "title": "Assises de la commande publique d'octobre : vos retours",
        "tags": ["pilotage-spaser"],
        "body": "Merci aux participants des Assises ! Qu'avez-vous retenu des ateliers ? Qu'aimeriez-vous "
                "voir l'an prochain ?",
        "replies": [
            R(CLAIRE, 20, "L'atelier EGalim était très concret. La « clinique du DCE » aussi : vingt minutes, "
              "c'est court mais on repart avec des pistes."),
            R(VALERIE, 26, "Pour l'an prochain : un atelier sur la mutualisation des achats entre petites "
              "collectivités, ce serait précieux."),
        ],
    },
    {
        "category": "vie-du-reseau", "author": VALERIE, "days_ago": 12, "kind": "question",
        "title": "Qui a déjà passé un marché réservé aux structures d'insertion ?",
        "tags": ["marches-reserves-ess", "services", "reservation"],
        "body": "Bonjour,\n\nNous envisageons un marché réservé pour l'entretien des chemins de randonnée. "
                "Quelqu'un aurait-il un DCE (anonymisé) à partager ?",
        "replies": [
            R(NATHALIE, 4, "Oui, pour l'entretien de sentiers justement. Je dépose le RC et le CCTP "
              "anonymisés dans la bibliothèque cette semaine.", accepted=True),
        ],
    },
    # --- Énergie et bâtiment --------------------------------------------------------------------
    {
        "category": "energie-et-batiment", "author": JULIEN, "days_ago": 64, "kind": "question",
        "title": "Rénovation d'une école : performance énergétique en critère ou en condition d'exécution ?",
        "tags": ["energie-batiment", "travaux", "critere-d-attribution", "condition-d-execution", "cpv-45"],
        "body": "Pour la rénovation énergétique d'une école, faut-il mettre la performance (gain de "
                "consommation) dans les critères, ou l'imposer en condition d'exécution ?",
        "replies": [
            R(KARIM, 22, "Les deux se complètent : l'**objectif de performance** relève du programme et du "
              "CCTP (c'est votre besoin), le **critère** peut porter sur la méthodologie et les engagements "
              "mesurables de l'entreprise (gestion des interfaces, mise en service, suivi), et la "
              "**condition d'exécution** sur les déchets et la limitation des nuisances du chantier.\n\n"
              "Évitez un critère sur un gain théorique que vous ne pourrez pas vérifier.", accepted=True),
        ],
    },
    {
        "category": "energie-et-batiment", "author": NATHALIE, "days_ago": 52, "kind": "discussion",
        "title": "Matériaux biosourcés dans un CCTP de réhabilitation : vos retours",
        "tags": ["construction-bas-carbone", "travaux", "specification-technique", "cctp"],
        "body": "Nous réhabilitons un gymnase et voudrions de l'isolation en fibre de bois. Comment l'avez-vous "
                "rédigé sans citer de marque ?",
        "replies": [
            R(KARIM, 10, "En performances : conductivité, déphasage, taux de matière biosourcée, avec « ou "
              "équivalent » partout où un label est cité. Prévoyez aussi les exigences de mise en œuvre."),
            R(VALERIE, 20, "Nous avons ajouté une visite de chantier de référence en phase d'offre : très utile "
              "pour les entreprises qui débutent sur ces matériaux."),
        ],
    },
    {
        "category": "energie-et-batiment", "author": MARC, "days_ago": 110, "kind": "question",
        "title": "Fourniture d'électricité : peut-on exiger de l'électricité d'origine renouvelable ?",
        "tags": ["energie-batiment", "fournitures", "specification-technique", "cpv-09"],
        "body": "Pour le contrat d'électricité de la commune, puis-je imposer une part d'électricité "
                "renouvelable ?",
        "replies": [
            R(KARIM, 30, "Oui, en spécification technique, avec les garanties d'origine comme moyen de preuve. "
              "Vous pouvez aussi valoriser en critère une offre dont les garanties d'origine proviennent "
              "d'installations situées en France.", review=True, accepted=True),
        ],
    },
    # --- Économie circulaire et déchets ---------------------------------------------------------
    {
        "category": "economie-circulaire-et-dechets", "author": JULIEN, "days_ago": 30, "kind": "discussion",
        "title": "Mobilier de réemploi : qui a travaillé avec une ressourcerie ?",
        "tags": ["economie-circulaire", "mobilier-fournitures", "fournitures", "marches-reserves-ess"],
        "body": "Nous aimerions acheter du mobilier de réemploi pour un nouvel espace d'accueil. Des expériences "
                "avec des ressourceries ou recycleries ?",
        "replies": [
            R(ELISE, 8, "Plusieurs collectivités de la région l'ont fait par un lot dédié ou un marché réservé "
              "aux structures de l'ESS. Pensez à décrire le besoin en fonctions (assises, rangement) plutôt "
              "qu'en références, et à accepter des lots d'aspect hétérogène."),
            R(VALERIE, 30, "Nous avons meublé la médiathèque ainsi. Délai un peu plus long, mais coût divisé "
              "par deux et les usagers adorent."),
        ],
    },
    {
        "category": "economie-circulaire-et-dechets", "author": CLAIRE, "days_ago": 140, "kind": "question",
        "title": "Suivre les bordereaux de déchets dangereux dans nos marchés de travaux",
        "tags": ["dechets", "travaux", "condition-d-execution"],
        "body": "Comment vérifier concrètement le suivi des déchets dangereux de nos chantiers ?",
        "replies": [
            R(ELISE, 24, "Exigez dans le CCAP la transmission des bordereaux de suivi dématérialisés à chaque "
              "situation et prévoyez une pénalité en cas d'absence. Désignez un référent côté maîtrise "
              "d'ouvrage pour les contrôler.", review=True),
        ],
    },
    # --- Alimentation durable et EGalim ---------------------------------------------------------
    {
        "category": "alimentation-durable-et-egalim", "author": THOMAS, "days_ago": 76, "kind": "question",
        "title": "Comment compter les produits « durables et de qualité » pour le bilan EGalim ?",
        "tags": ["alimentation-egalim", "fournitures", "cpv-15", "eple"],
        "body": "Pour notre bilan annuel, quels produits comptent dans les 50 % ? Le « local » compte-t-il ?",
        "replies": [
            R(ELISE, 20, "Le « local » en tant que tel **ne compte pas** : seuls comptent les produits sous "
              "signes de qualité ou mentions valorisantes listés par les textes (dont le bio, qui doit "
              "représenter au moins 20 %), et quelques autres catégories définies. Demandez à vos "
              "fournisseurs d'indiquer le label de chaque ligne dans le BPU et sur les factures : le bilan "
              "se fait alors presque tout seul.", accepted=True),
        ],
    },
    {
        "category": "alimentation-durable-et-egalim", "author": CLAIRE, "days_ago": 21, "kind": "discussion",
        "title": "Approvisionnement de proximité sans critère géographique : vos pratiques",
        "tags": ["alimentation-egalim", "tpe-pme-sourcage", "allotissement"],
        "body": "Le critère géographique étant interdit, comment favorisez-vous les producteurs du territoire ?",
        "replies": [
            R(THOMAS, 6, "Petits lots, produits de saison, fraîcheur (délai entre récolte et livraison), "
              "et beaucoup de sourçage en amont."),
            R(ELISE, 12, "Ajoutez les critères de performance en matière de développement des "
              "approvisionnements directs, et pensez aux plateformes de producteurs : elles répondent "
              "volontiers quand les lots sont à leur taille."),
        ],
    },
    # --- Numérique responsable ------------------------------------------------------------------
    {
        "category": "numerique-responsable", "author": JULIEN, "days_ago": 18, "kind": "question",
        "title": "Garantie et pièces détachées : clauses types pour des ordinateurs portables",
        "tags": ["numerique-responsable", "fournitures", "condition-d-execution", "cpv-30"],
        "body": "Quelles durées de garantie et de disponibilité des pièces détachées demandez-vous ?",
        "replies": [
            R(KARIM, 16, "Souvent : garantie de 3 à 5 ans sur site, disponibilité des pièces pendant au moins "
              "5 ans après la livraison, batterie remplaçable, et notation de l'indice de réparabilité. "
              "Exigez la liste des pièces et leurs prix dans le BPU."),
            R(CLAIRE, 20, "Nous ajoutons la compatibilité avec des chargeurs standard : petit détail, grosses "
              "économies."),
        ],
    },
    {
        "category": "numerique-responsable", "author": NATHALIE, "days_ago": 9, "kind": "discussion",
        "title": "Sobriété numérique : vos critères pour l'hébergement de vos applications",
        "tags": ["numerique-responsable", "services", "critere-d-attribution", "cpv-72"],
        "body": "Pour notre futur marché d'hébergement, nous cherchons des critères environnementaux "
                "vérifiables. Des idées ?",
        "replies": [
            R(JULIEN, 12, "Indicateur d'efficacité énergétique des centres de données, réutilisation de la "
              "chaleur, durée de vie des serveurs, et un engagement de reporting annuel."),
        ],
    },
    # --- Clauses sociales et marchés réservés ---------------------------------------------------
    {
        "category": "clauses-sociales-et-marches-reserves", "author": VALERIE, "days_ago": 88, "kind": "question",
        "title": "Facilitateur de clauses sociales dans le Jura : qui contacter ?",
        "tags": ["clauses-sociales", "epci"],
        "body": "Nous n'avons jamais mis de clause d'insertion. Existe-t-il un facilitateur sur notre territoire ?",
        "replies": [
            R(NATHALIE, 10, "Oui, le réseau des facilitateurs couvre toute la région. Je vous envoie les "
              "coordonnées en message privé ; il nous a accompagnés sur nos premiers marchés.", accepted=True),
        ],
    },
    {
        "category": "clauses-sociales-et-marches-reserves", "author": MARC, "days_ago": 15, "kind": "discussion",
        "title": "Marché réservé aux ESAT pour l'entretien des locaux : retours ?",
        "tags": ["marches-reserves-ess", "services", "reservation", "cpv-90"],
        "body": "Nous pensons réserver le ménage de la mairie à un ESAT. Des retours d'expérience ?",
        "replies": [
            R(CLAIRE, 5, "Très bonne expérience à l'hôpital pour l'entretien des espaces extérieurs. "
              "Prévoyez une visite et un temps d'adaptation au démarrage."),
        ],
    },
    # --- Pilotage, SPASER et coût global --------------------------------------------------------
    {
        "category": "pilotage-spaser-et-cout-global", "author": NATHALIE, "days_ago": 100, "kind": "question",
        "title": "SPASER : notre métropole dépasse 50 M€ d'achats, par où commencer ?",
        "tags": ["pilotage-spaser", "deliberation", "epci"],
        "body": "Nous devons adopter notre SPASER. Par où commencer, et quels indicateurs retenir ?",
        "replies": [
            R(KARIM, 26, "Commencez par une cartographie des achats (familles, montants, fournisseurs), puis "
              "choisissez quelques objectifs mesurables : part des marchés avec clause environnementale, "
              "heures d'insertion, part AGEC. Publiez un bilan annuel. Plusieurs délibérations de la région "
              "sont dans la bibliothèque, par exemple celle de [Grand Besançon](/bibliotheque/d/deliberation-spaser).",
              accepted=True),
            R(SOPHIE, 40, "Le webinaire de décembre reviendra sur les indicateurs : inscriptions ouvertes."),
        ],
    },
    {
        "category": "pilotage-spaser-et-cout-global", "author": JULIEN, "days_ago": 55, "kind": "question",
        "title": "Coût du cycle de vie pour des véhicules : une méthode simple ?",
        "tags": ["cout-global", "mobilite", "fournitures", "critere-d-attribution", "cpv-34"],
        "body": "Nous voulons comparer des véhicules sur leur coût global. Une méthode simple à mettre dans le RC ?",
        "replies": [
            R(KARIM, 20, "Un tableur fourni avec le DCE : prix d'achat, consommation d'énergie sur la durée "
              "de détention, entretien, pneumatiques, valeur de revente. Annoncez la méthode et les "
              "hypothèses (kilométrage annuel, durée) dans le RC. Le Haut-Jura a partagé le sien : [CCTP "
              "véhicules en coût du cycle de vie](/bibliotheque/d/cctp-vehicules-cout-global)."),
        ],
    },
    {
        "category": "pilotage-spaser-et-cout-global", "author": CLAIRE, "days_ago": 8, "kind": "discussion",
        "title": "Indicateurs de suivi : que publier dans les données essentielles ?",
        "tags": ["pilotage-spaser"],
        "body": "Publiez-vous des informations sur les considérations environnementales et sociales dans les "
                "données essentielles de vos marchés ?",
        "replies": [],
    },
    # --- Fournitures, entretien et textiles -----------------------------------------------------
    {
        "category": "fournitures-entretien-et-textiles", "author": CLAIRE, "days_ago": 5, "kind": "question",
        "title": "Tenues professionnelles : fibres recyclées ou label textile ?",
        "tags": ["textile-epi", "fournitures", "specification-technique", "cpv-18", "hopital"],
        "body": "Pour les tenues des services techniques, vaut-il mieux exiger des fibres recyclées ou un "
                "label textile ? Et comment vérifier ?",
        "replies": [],
    },
    {
        "category": "fournitures-entretien-et-textiles", "author": THOMAS, "days_ago": 36, "kind": "discussion",
        "title": "Fournitures scolaires : un critère « emballages réduits » fonctionne-t-il ?",
        "tags": ["mobilier-fournitures", "fournitures", "critere-d-attribution", "cpv-30"],
        "body": "Nous avons testé un critère sur les emballages pour les fournitures scolaires. Résultat "
                "mitigé : tout le monde a eu la note maximale. Vos idées ?",
        "replies": [
            R(NATHALIE, 7, "Demandez des engagements chiffrés (livraisons groupées par mois, cartons repris) "
              "et prévoyez un contrôle : les notes s'étalent tout de suite."),
        ],
    },
    # --- Mobilité, biodiversité et eau ----------------------------------------------------------
    {
        "category": "mobilite-biodiversite-et-eau", "author": VALERIE, "days_ago": 27, "kind": "discussion",
        "title": "Fauchage tardif et gestion différenciée dans un marché d'espaces verts",
        "tags": ["biodiversite", "services", "condition-d-execution", "cpv-77"],
        "body": "Nous voulons passer à la gestion différenciée. Comment l'avez-vous traduite dans le CCTP ?",
        "replies": [
            R(ELISE, 9, "Un plan de gestion par zone (tonte régulière, fauche tardive, zones refuges), zéro "
              "produit phytosanitaire, export des résidus de fauche et un calendrier adapté à la faune. "
              "Prévoyez une réunion annuelle d'ajustement."),
        ],
    },
    {
        "category": "mobilite-biodiversite-et-eau", "author": JULIEN, "days_ago": 4, "kind": "question",
        "title": "Renouvellement de flotte : véhicules électriques ou rétrofit ?",
        "tags": ["mobilite", "fournitures", "definition-du-besoin", "cpv-34", "departement"],
        "body": "Pour 12 utilitaires, nous hésitons entre achat de véhicules électriques et rétrofit de "
                "véhicules existants. Des retours ?",
        "replies": [],
    },
    # --- Procédures, sourçage et PME ------------------------------------------------------------
    {
        "category": "procedures-sourcage-et-pme", "author": MARC, "days_ago": 60, "kind": "question",
        "title": "Sourçage avant un MAPA : rencontrer les entreprises locales sans rompre l'égalité ?",
        "tags": ["tpe-pme-sourcage", "mapa", "definition-du-besoin", "commune"],
        "body": "Puis-je rencontrer des artisans du secteur avant de lancer notre MAPA de travaux ?",
        "replies": [
            R(VALERIE, 6, "Oui, nous le faisons : une réunion ouverte annoncée sur notre site, et un compte "
              "rendu publié avec le DCE."),
            R(KARIM, 20, "Le sourçage est prévu par le code, à condition de ne pas fausser la concurrence : "
              "rencontrez plusieurs entreprises, gardez une trace des échanges, ne transmettez pas "
              "d'information privilégiée et mettez à disposition de tous les candidats les informations "
              "utiles issues du sourçage.", accepted=True),
        ],
    },
]
