"""The library's demo documents: what buyers of the region would share, in the product's words.

Each entry is written to a real file by demo/files.py (PDF, DOCX, ODT, XLSX, ODS): one chapter
per page. Slugs are stable: demo threads link to /bibliotheque/d/<slug>."""

from __future__ import annotations

from typing import Any

GRAND_BESANCON = "Grand Besançon Métropole (démo)"
SAINT_AUBIN = "Commune de Saint-Aubin-sur-Loue (démo)"
NIEVRE = "Département de la Nièvre (démo)"
CHALON = "Centre hospitalier de Chalon (démo)"
ARCADES = "Lycée Les Arcades, Dijon (démo)"
HAUT_JURA = "Communauté de communes du Haut-Jura (démo)"
AGENCE = "Agence régionale du numérique BFC"

NATHALIE = "acheteuse@achats.example"
MARC = "secretaire@achats.example"
JULIEN = "acheteur@achats.example"
CLAIRE = "hopital@achats.example"
THOMAS = "lycee@achats.example"
VALERIE = "cc-jura@achats.example"
ELISE = "experte@achats.example"
KARIM = "expert@achats.example"

DOCUMENTS: list[dict[str, Any]] = [
    {
        "slug": "cctp-nettoyage-ecolabel",
        "title": "CCTP nettoyage des locaux avec produits écolabellisés",
        "doc_type": "cctp", "format": "pdf", "owner": NATHALIE, "organisation": GRAND_BESANCON, "year": 2025,
        "themes": ["produits-entretien", "marches-reserves-ess"], "famille": "services", "cpv": ["90911200-8"],
        "levier": "specification-technique", "procedure": "appel-d-offres", "licence": "licence_ouverte_2",
        "up_to_date_days": 40,
        "description": "Le CCTP de notre accord-cadre de nettoyage de 42 bâtiments : produits porteurs de "
                       "l'Écolabel européen ou équivalent, dosage centralisé, microfibre, formation des agents. "
                       "Trois offres conformes, aucune difficulté d'équivalence.",
        "sections": [
            ("Article 1 - Objet et périmètre", [
                "Le présent cahier des clauses techniques particulières définit les prestations de nettoyage "
                "courant et de remise en état des locaux administratifs, techniques et sportifs de la "
                "collectivité, soit 42 bâtiments et 61 000 m2 de surfaces. Les prestations comprennent le "
                "nettoyage quotidien des bureaux, sanitaires et circulations, la vitrerie trimestrielle et les "
                "interventions ponctuelles à la demande.",
                "Le titulaire met en oeuvre une organisation qui limite l'exposition des agents d'entretien et "
                "des usagers aux substances dangereuses, réduit les consommations d'eau et d'énergie et "
                "diminue les déchets d'emballage.",
            ]),
            ("Article 2 - Produits d'entretien", [
                "Les produits utilisés pour le nettoyage courant des sols, des surfaces et des sanitaires sont "
                "porteurs de l'Écolabel européen (décision UE 2017/1217) ou d'un label équivalent répondant aux "
                "mêmes critères. Le titulaire peut prouver l'équivalence par tout moyen approprié, notamment un "
                "dossier technique du fabricant ou un rapport d'essai d'un organisme reconnu.",
                "Les produits sont livrés concentrés et dilués par une centrale de dosage installée dans chaque "
                "site de plus de 1 000 m2. Les aérosols sont interdits. Les fiches de données de sécurité de "
                "chaque produit sont remises avant le démarrage et tenues à jour.",
                "La désinfection n'est réalisée que dans les locaux où elle est justifiée (infirmeries, "
                "vestiaires collectifs) et avec des produits biocides autorisés, selon un protocole validé par "
                "le référent hygiène de la collectivité.",
            ]),
            ("Article 3 - Matériel et méthodes", [
                "Le titulaire privilégie les méthodes mécaniques : lavettes et franges en microfibre lavables, "
                "pré-imprégnation, autolaveuses à faible consommation d'eau. Les lavettes sont lavées par le "
                "titulaire ; le volume de linge et la consommation de lessive sont indiqués dans le rapport "
                "annuel.",
                "Le nettoyage en journée est la règle pour les bureaux, afin de réduire le travail fractionné "
                "et les horaires décalés des agents ; l'organisation proposée figure au mémoire technique.",
            ]),
            ("Article 4 - Formation, suivi et indicateurs", [
                "Chaque agent affecté au marché reçoit, dans les trois mois suivant son affectation, une "
                "formation au dosage des produits, aux gestes et postures et au tri des déchets. Les "
                "attestations sont transmises au pouvoir adjudicateur.",
                "Le rapport annuel indique : les quantités de produits par référence, la part de produits "
                "écolabellisés (objectif : 100 % des produits de nettoyage courant), le volume d'eau consommé "
                "par les autolaveuses et le nombre d'heures de formation. Ces indicateurs alimentent le "
                "rapport du SPASER de la collectivité.",
            ]),
        ],
        "versions": [
            {"note": "Ajout des indicateurs du rapport annuel", "days_ago": 60,
             "extra": ("Annexe - Modèle de rapport annuel", [
                 "Le modèle de rapport annuel figure en annexe : un tableau par site avec les quantités de "
                 "produits, la part écolabellisée, les heures de formation et les consommations d'eau.",
             ])},
        ],
        "reuses": [
            ("hopital@achats.example", "appel-d-offres", 2025, 4, "awarded", "Repris presque tel quel pour nos "
             "sites administratifs ; le dosage centralisé a été bien accueilli."),
            ("cc-jura@achats.example", "mapa", 2026, 3, "awarded", "Adapté à 8 bâtiments, sans la vitrerie."),
            ("secretaire@achats.example", "mapa", 2026, 2, "awarded", None),
        ],
        "downloads": 37,
    },
    {
        "slug": "clause-tracabilite-dechets-chantier",
        "title": "Clause de tri et de traçabilité des déchets de chantier",
        "doc_type": "clausier", "format": "docx", "owner": JULIEN, "organisation": NIEVRE, "year": 2026,
        "themes": ["dechets", "economie-circulaire"], "famille": "travaux", "cpv": ["45000000-7"],
        "levier": "condition-d-execution", "procedure": "appel-d-offres", "licence": "cc_by",
        "up_to_date_days": 20,
        "description": "Clause d'exécution pour nos marchés de travaux : tri sur chantier en sept flux, "
                       "bordereaux de suivi dématérialisés (Trackdéchets), pénalités graduées.",
        "sections": [
            ("Article 1 - Tri des déchets sur le chantier", [
                "Le titulaire trie les déchets de chantier au moins en sept flux : bois, métal, plâtre, "
                "plastique, papier et carton, verre et minéraux, conformément aux articles D. 543-280 et "
                "suivants du code de l'environnement. Les bennes sont identifiées et protégées des intempéries.",
                "Lorsque l'emprise du chantier ne permet pas le tri de tous les flux, le titulaire le justifie "
                "dans son schéma d'organisation et de suivi de l'élimination des déchets (SOSED) et recourt à "
                "un centre de tri qui atteste du taux de valorisation obtenu.",
            ]),
            ("Article 2 - Traçabilité", [
                "Les déchets dangereux sont suivis par bordereau de suivi dématérialisé sur la plateforme "
                "Trackdéchets. Pour les déchets non dangereux, le titulaire remet les bons de pesée et les "
                "attestations de prise en charge des installations de destination.",
                "Un registre chronologique des déchets sortants est tenu à jour et transmis avec chaque "
                "situation de travaux. Le maître d'ouvrage peut demander à tout moment la preuve de la "
                "destination d'un lot de déchets.",
            ]),
            ("Article 3 - Réemploi", [
                "Avant la démolition, le diagnostic produits, équipements, matériaux et déchets (PEMD) "
                "identifie les éléments réemployables. Le titulaire met de côté ces éléments et les remet à la "
                "ressourcerie ou à la plateforme de réemploi désignée par le maître d'ouvrage.",
            ]),
            ("Article 4 - Pénalités", [
                "Absence de bordereau ou de registre : 150 euros HT par manquement constaté. Mélange de flux "
                "dans une benne de tri : 300 euros HT par benne. Les pénalités sont plafonnées à 5 % du montant "
                "du marché et appliquées après une mise en demeure restée sans effet pendant huit jours.",
            ]),
        ],
        "reuses": [
            ("acheteuse@achats.example", "appel-d-offres", 2026, 6, "awarded", "Les entreprises ont bien "
             "répondu ; Trackdéchets était déjà utilisé par la plupart."),
            ("cc-jura@achats.example", "mapa", 2026, 2, "unsuccessful", "Lot gros oeuvre infructueux pour "
             "d'autres raisons (prix) ; la clause n'a pas été mise en cause."),
        ],
        "downloads": 24,
    },
    {
        "slug": "egalim-allotissement-restauration",
        "title": "Allotissement EGalim de la restauration scolaire pour 25 communes",
        "doc_type": "rc", "format": "pdf", "owner": VALERIE, "organisation": HAUT_JURA, "year": 2026,
        "themes": ["alimentation-egalim", "tpe-pme-sourcage"], "famille": "fournitures", "cpv": ["15000000-8"],
        "levier": "allotissement", "procedure": "accord-cadre", "licence": "licence_ouverte_2",
        "up_to_date_days": 15,
        "description": "Le règlement de consultation de notre groupement de commandes : neuf lots par "
                       "famille de produits et par secteur, pour que les producteurs locaux puissent répondre.",
        "sections": [
            ("1. Objet et forme de la consultation", [
                "La consultation porte sur la fourniture de denrées alimentaires pour les restaurants "
                "scolaires des 25 communes membres du groupement. Elle prend la forme d'accords-cadres à bons de "
                "commande d'une durée d'un an reconductible trois fois.",
                "L'objectif est d'atteindre au moins 50 % de produits durables et de qualité, dont 20 % de "
                "produits issus de l'agriculture biologique, en valeur d'achat hors taxes, conformément à "
                "l'article L. 230-5-1 du code rural et de la pêche maritime.",
            ]),
            ("2. Allotissement", [
                "Lot 1 : fruits et légumes frais, secteur nord. Lot 2 : fruits et légumes frais, secteur sud. "
                "Lot 3 : produits laitiers et fromages AOP. Lot 4 : viande bovine. Lot 5 : volaille Label Rouge. "
                "Lot 6 : pain et viennoiseries, par commune ou groupe de communes. Lot 7 : épicerie biologique. "
                "Lot 8 : produits surgelés. Lot 9 : produits de la mer issus de la pêche durable.",
                "Le découpage géographique des lots 1, 2 et 6 tient compte des tournées de livraison réalistes "
                "pour une exploitation agricole ou une boulangerie du territoire.",
            ]),
            ("3. Critères d'attribution", [
                "Prix : 40 %. Qualité des produits (signes officiels de qualité, fraîcheur, saisonnalité) : "
                "40 %. Performance en matière de protection de l'environnement (emballages, distances de "
                "livraison rapportées au nombre de livraisons) : 20 %.",
                "Le critère environnemental ne comporte aucun critère géographique : la proximité résulte de "
                "l'allotissement et des exigences de fraîcheur, pas d'une préférence locale interdite.",
            ]),
            ("4. Sourçage préalable", [
                "Une réunion d'information des producteurs a été organisée avec la chambre d'agriculture. "
                "Les informations données à cette occasion figurent au dossier de consultation, pour garantir "
                "l'égalité de traitement des candidats.",
            ]),
        ],
        "reuses": [
            ("lycee@achats.example", "appel-d-offres", 2026, 11, "awarded", "Neuf lots, onze offres : le lot "
             "pain a attiré trois boulangeries."),
            ("secretaire@achats.example", "mapa", 2026, 3, "awarded", None),
        ],
        "downloads": 51,
    },
    {
        "slug": "rc-informatique-reconditionnee",
        "title": "RC ordinateurs reconditionnés pour les salles pédagogiques",
        "doc_type": "rc", "format": "pdf", "owner": THOMAS, "organisation": ARCADES, "year": 2026,
        "themes": ["numerique-responsable", "economie-circulaire"], "famille": "fournitures",
        "cpv": ["30213000-5"], "levier": "definition-du-besoin", "procedure": "mapa",
        "licence": "licence_ouverte_2",
        "description": "Consultation directe pour 60 postes reconditionnés de grade A, garantie trois ans, "
                       "atteinte de la part AGEC (article 58) sur l'équipement informatique.",
        "sections": [
            ("Article 1 - Objet", [
                "La consultation porte sur la fourniture de 60 ordinateurs de bureau reconditionnés de grade A, "
                "avec écran, clavier et souris, installés dans trois salles pédagogiques du lycée.",
                "Le besoin est défini en performances d'usage (bureautique, navigation, logiciels "
                "pédagogiques) et non en référence d'un modèle neuf, pour ouvrir la concurrence aux "
                "reconditionneurs.",
            ]),
            ("Article 2 - Exigences", [
                "Garantie de trois ans pièces et main-d'oeuvre. Batterie et disque remplacés ou testés à plus "
                "de 80 % de leur capacité d'origine. Effacement certifié des données antérieures. Système "
                "d'exploitation installé et à jour.",
                "Le candidat indique l'origine des appareils et le lieu du reconditionnement. Les structures "
                "de l'économie sociale et solidaire sont invitées à répondre.",
            ]),
            ("Article 3 - Jugement des offres", [
                "Prix : 50 %. Valeur technique (garantie, délai d'intervention, qualité du reconditionnement) : "
                "35 %. Reprise et réemploi des anciens postes : 15 %.",
            ]),
        ],
        "reuses": [
            ("acheteur@achats.example", "mapa", 2026, 4, "awarded", "Nous avons ajouté un lot écrans."),
        ],
        "downloads": 19,
    },
    {
        "slug": "deliberation-spaser",
        "title": "Délibération adoptant le SPASER 2026-2030",
        "doc_type": "deliberation", "format": "odt", "owner": NATHALIE, "organisation": GRAND_BESANCON,
        "year": 2026, "themes": ["pilotage-spaser"], "licence": "licence_ouverte_2", "visibility": "public",
        "description": "La délibération du conseil de communauté et les objectifs chiffrés du schéma de "
                       "promotion des achats socialement et écologiquement responsables.",
        "sections": [
            ("Exposé des motifs", [
                "Les collectivités dont le montant annuel d'achats dépasse 50 millions d'euros hors taxes "
                "adoptent un schéma de promotion des achats publics socialement et écologiquement "
                "responsables (article L. 2111-3 du code de la commande publique). Le schéma est rendu public "
                "et fait l'objet d'un bilan annuel.",
                "Le montant annuel des achats de la communauté s'élève à 142 millions d'euros hors taxes.",
            ]),
            ("Objectifs du schéma", [
                "Objectif 1 : une considération environnementale dans 100 % des marchés dès 2026, "
                "conformément à la loi Climat et résilience. Objectif 2 : des clauses sociales d'insertion "
                "dans 30 % des marchés de travaux et de services. Objectif 3 : 25 % d'achats issus du réemploi "
                "ou intégrant des matières recyclées pour le mobilier et l'informatique (article 58 de la loi "
                "AGEC).",
                "Objectif 4 : un accès facilité des TPE et PME, par l'allotissement et la réduction des "
                "exigences de capacités financières.",
            ]),
            ("Délibération", [
                "Le conseil de communauté, après en avoir délibéré, adopte le schéma de promotion des achats "
                "socialement et écologiquement responsables pour la période 2026-2030 et autorise le président "
                "à signer tout document s'y rapportant.",
            ]),
        ],
        "downloads": 12,
    },
    {
        "slug": "guide-critere-environnemental-mapa",
        "title": "Guide : pondérer le critère environnemental dans un MAPA de fournitures",
        "doc_type": "guide", "format": "pdf", "owner": ELISE, "organisation": AGENCE, "year": 2026,
        "themes": ["cout-global", "tpe-pme-sourcage"], "famille": "fournitures", "levier": "critere-d-attribution",
        "procedure": "mapa", "licence": "licence_ouverte_2", "visibility": "public", "up_to_date_days": 10,
        "description": "La fiche du guichet vert : pondérations pratiquées, sous-critères vérifiables, erreurs "
                       "qui font annuler une procédure.",
        "sections": [
            ("Pourquoi pondérer", [
                "Depuis le 21 août 2026, chaque marché comporte au moins un critère prenant en compte les "
                "caractéristiques environnementales de l'offre. Aucun texte ne fixe de pondération minimale ; "
                "la jurisprudence exige un critère lié à l'objet du marché et une pondération qui ne le rende "
                "pas symbolique.",
                "Les acheteurs de la région pratiquent le plus souvent 15 à 30 %. En dessous de 10 %, le "
                "critère départage rarement les offres.",
            ]),
            ("Des sous-critères vérifiables", [
                "Préférez des éléments que le candidat prouve et que vous contrôlez à l'exécution : labels ou "
                "équivalents, part de matière recyclée, durée de garantie, disponibilité des pièces détachées, "
                "emballages réutilisables. Évitez les engagements vagues (« démarche environnementale »).",
            ]),
            ("Erreurs fréquentes", [
                "Un critère géographique déguisé (distance au siège du candidat). Une méthode de notation "
                "non annoncée. Un label exigé sans accepter d'équivalent. Un critère qui note l'entreprise "
                "dans son ensemble plutôt que l'offre.",
            ]),
            ("Pour aller plus loin", [
                "Le guichet vert relit gratuitement vos critères avant la publication : posez votre question "
                "dans le forum Guichet vert, un expert répond en général sous deux jours ouvrés.",
            ]),
        ],
        "downloads": 88,
    },
    {
        "slug": "ccap-clause-insertion-voirie",
        "title": "CCAP : clause sociale d'insertion pour un marché de voirie",
        "doc_type": "ccap", "format": "docx", "owner": JULIEN, "organisation": NIEVRE, "year": 2025,
        "themes": ["clauses-sociales"], "famille": "travaux", "cpv": ["45233140-2"],
        "levier": "condition-d-execution", "procedure": "appel-d-offres", "licence": "licence_ouverte_2",
        "description": "L'article d'insertion de notre CCAP de voirie : 7 % des heures de main-d'oeuvre, "
                       "accompagnement par le facilitateur, modalités de contrôle.",
        "sections": [
            ("Article 9 - Action d'insertion", [
                "En application de l'article L. 2112-2 du code de la commande publique, le titulaire réalise "
                "une action d'insertion permettant l'accès ou le retour à l'emploi de personnes rencontrant "
                "des difficultés sociales ou professionnelles particulières.",
                "Le volume d'heures d'insertion est fixé à 7 % du nombre d'heures de main-d'oeuvre estimé, "
                "soit 1 260 heures pour l'ensemble du marché.",
            ]),
            ("Article 9.2 - Modalités", [
                "Le titulaire peut recourir à l'embauche directe, à la mise à disposition par une structure "
                "d'insertion par l'activité économique, à la sous-traitance ou à la co-traitance avec une "
                "telle structure. Le facilitateur du département accompagne le titulaire et valide "
                "l'éligibilité des publics.",
            ]),
            ("Article 9.3 - Contrôle et pénalités", [
                "Le titulaire transmet chaque trimestre l'état des heures réalisées. En cas d'heures non "
                "réalisées sans justification, une pénalité de 30 euros HT par heure manquante est appliquée.",
            ]),
        ],
        "reuses": [
            ("cc-jura@achats.example", "appel-d-offres", 2026, 5, "awarded", "Nous avons retenu 5 % ; le "
             "facilitateur du Jura a été déterminant."),
        ],
        "downloads": 16,
    },
    {
        "slug": "bpu-fournitures-bureau-recyclees",
        "title": "BPU fournitures de bureau et papier recyclé",
        "doc_type": "bpu", "format": "xlsx", "owner": MARC, "organisation": SAINT_AUBIN, "year": 2026,
        "themes": ["mobilier-fournitures"], "famille": "fournitures", "cpv": ["30192000-1"],
        "levier": "specification-technique", "procedure": "mapa", "licence": "licence_ouverte_2",
        "description": "Le bordereau de prix de notre petite commune : papier 100 % recyclé, stylos "
                       "rechargeables, classeurs en carton recyclé. Prix retirés.",
        "table": {
            "title": "Bordereau des prix unitaires - fournitures de bureau",
            "header": ["Référence", "Désignation", "Exigence environnementale", "Unité", "Prix unitaire HT"],
            "rows": [
                ["P01", "Ramette papier A4 80 g", "100 % fibres recyclées, Ange bleu ou équivalent", "ramette", ""],
                ["P02", "Ramette papier A3 80 g", "100 % fibres recyclées, Ange bleu ou équivalent", "ramette", ""],
                ["S01", "Stylo bille rechargeable", "corps en plastique recyclé, recharge disponible", "unité", ""],
                ["S02", "Recharge stylo bille", "compatible S01", "unité", ""],
                ["C01", "Classeur dos 50 mm", "carton recyclé, sans PVC", "unité", ""],
                ["C02", "Chemise cartonnée", "carton recyclé", "lot de 100", ""],
                ["E01", "Enveloppe C5", "papier recyclé, sans fenêtre plastique", "boîte de 500", ""],
                ["R01", "Surligneur", "sans solvant, rechargeable", "unité", ""],
            ],
        },
        "reuses": [
            ("acheteuse@achats.example", "mapa", 2026, 5, "awarded", None),
        ],
        "downloads": 30,
    },
    {
        "slug": "cctp-espaces-verts-gestion-differenciee",
        "title": "CCTP entretien des espaces verts en gestion différenciée",
        "doc_type": "cctp", "format": "odt", "owner": MARC, "organisation": SAINT_AUBIN, "year": 2025,
        "themes": ["biodiversite", "eau"], "famille": "services", "cpv": ["77310000-6"],
        "levier": "condition-d-execution", "procedure": "mapa", "licence": "licence_ouverte_2",
        "description": "Fauchage tardif, zéro produit phytosanitaire, paillage des massifs : le CCTP de "
                       "l'entretien des espaces verts communaux.",
        "sections": [
            ("Article 1 - Classes d'entretien", [
                "Les espaces sont répartis en trois classes : espaces de prestige (entretien soigné, tonte "
                "toutes les deux semaines), espaces d'accompagnement (tonte mensuelle), espaces naturels "
                "(fauchage tardif une à deux fois par an, après le 15 juillet).",
            ]),
            ("Article 2 - Pratiques exigées", [
                "Aucun produit phytopharmaceutique n'est utilisé, conformément à la loi Labbé. Le désherbage "
                "est mécanique ou thermique. Les massifs sont paillés avec les broyats issus des tailles.",
                "Les produits de fauche sont exportés et compostés sur la plateforme communale. L'arrosage est "
                "limité aux plantations de l'année.",
            ]),
            ("Article 3 - Suivi", [
                "Le titulaire tient un carnet d'intervention par site et signale toute espèce invasive "
                "observée (ambroisie, renouée du Japon).",
            ]),
        ],
        "downloads": 9,
    },
    {
        "slug": "cctp-electricite-renouvelable",
        "title": "CCTP fourniture d'électricité d'origine renouvelable",
        "doc_type": "cctp", "format": "pdf", "owner": CLAIRE, "organisation": CHALON, "year": 2025,
        "themes": ["energie-batiment"], "famille": "fournitures", "cpv": ["09310000-5"],
        "levier": "specification-technique", "procedure": "appel-d-offres", "licence": "cc_by",
        "description": "Garanties d'origine, traçabilité par site de production, option d'électricité "
                       "produite en Bourgogne-Franche-Comté sans critère géographique.",
        "sections": [
            ("Article 1 - Objet", [
                "Fourniture d'électricité pour les 14 points de livraison du centre hospitalier, dont trois "
                "en tarif haute tension. Volume annuel estimé : 9,8 GWh.",
            ]),
            ("Article 2 - Origine de l'électricité", [
                "Le titulaire fournit des garanties d'origine pour 100 % de l'électricité livrée, émises au "
                "titre de l'année de consommation et annulées au bénéfice du pouvoir adjudicateur dans le "
                "registre national.",
                "Le titulaire indique la technologie et le pays des installations de production. Une variante "
                "propose une électricité issue d'installations mises en service depuis moins de cinq ans.",
            ]),
            ("Article 3 - Services", [
                "Le titulaire met à disposition un espace en ligne avec les courbes de charge par site et une "
                "alerte en cas de dépassement de puissance souscrite, pour piloter la sobriété énergétique.",
            ]),
        ],
        "reuses": [
            ("acheteur@achats.example", "appel-d-offres", 2026, 3, "awarded", "Variante retenue."),
        ],
        "downloads": 21,
    },
    {
        "slug": "rapport-analyse-mobilier-reemploi",
        "title": "Rapport d'analyse des offres : mobilier de bureau de réemploi",
        "doc_type": "rapport_analyse", "format": "pdf", "owner": NATHALIE, "organisation": GRAND_BESANCON,
        "year": 2026, "themes": ["economie-circulaire", "mobilier-fournitures"], "famille": "fournitures",
        "cpv": ["39130000-2"], "levier": "critere-d-attribution", "procedure": "mapa",
        "licence": "licence_ouverte_2",
        "description": "Comment nous avons noté le réemploi et la reprise de l'ancien mobilier ; noms des "
                       "candidats et prix retirés.",
        "sections": [
            ("1. Rappel de la procédure", [
                "Marché à procédure adaptée pour la fourniture de mobilier de bureau de réemploi et neuf, "
                "avec reprise de l'ancien mobilier. Quatre offres reçues, toutes recevables.",
            ]),
            ("2. Méthode de notation", [
                "Prix : 40 points. Valeur technique : 35 points, dont état et garantie du mobilier de réemploi "
                "(15), délai de livraison (10), ergonomie (10). Performance environnementale : 25 points, dont "
                "part de mobilier de réemploi dans l'offre (15) et filière de reprise de l'ancien mobilier "
                "(10).",
                "La part de réemploi est calculée en valeur, sur la base du bordereau de prix, pour éviter les "
                "déclarations invérifiables.",
            ]),
            ("3. Résultat", [
                "L'offre classée première propose 62 % de mobilier de réemploi, une garantie de cinq ans et la "
                "reprise de la totalité de l'ancien mobilier par une ressourcerie partenaire.",
            ]),
        ],
        "downloads": 14,
    },
    {
        "slug": "clausier-numerique-responsable",
        "title": "Clausier numérique responsable : réparabilité, garantie, pièces détachées",
        "doc_type": "clausier", "format": "docx", "owner": KARIM, "organisation": AGENCE, "year": 2026,
        "themes": ["numerique-responsable"], "famille": "fournitures", "cpv": ["30200000-1"],
        "levier": "specification-technique", "licence": "licence_ouverte_2", "visibility": "public",
        "up_to_date_days": 5,
        "description": "Des clauses prêtes à adapter pour les ordinateurs, smartphones et imprimantes : indice "
                       "de réparabilité, durée de disponibilité des pièces, mises à jour logicielles.",
        "sections": [
            ("Clause 1 - Indice de réparabilité", [
                "Pour les produits soumis à l'indice de réparabilité ou de durabilité, le candidat indique "
                "l'indice de chaque référence proposée. Cet indice est noté au titre du critère "
                "environnemental : 10 points pour un indice de 8 ou plus, 5 points de 6 à 8, 0 en dessous.",
            ]),
            ("Clause 2 - Pièces détachées et garantie", [
                "Le titulaire garantit la disponibilité des pièces détachées pendant au moins sept ans après "
                "la livraison et une garantie de trois ans minimum. Les batteries sont remplaçables sans outil "
                "spécifique.",
            ]),
            ("Clause 3 - Mises à jour", [
                "Les mises à jour de sécurité du système d'exploitation sont assurées pendant au moins cinq ans. "
                "Le titulaire informe l'acheteur de la date de fin de support de chaque référence.",
            ]),
        ],
        "downloads": 42,
    },
    {
        "slug": "support-webinaire-egalim-2026",
        "title": "Support du webinaire « EGalim dans les petites cantines »",
        "doc_type": "support_webinaire", "format": "pdf", "owner": ELISE, "organisation": AGENCE, "year": 2026,
        "themes": ["alimentation-egalim"], "licence": "licence_ouverte_2", "visibility": "public",
        "description": "Les diapositives du webinaire de mars : compter les produits durables, choisir les lots, "
                       "déclarer sur ma-cantine.",
        "sections": [
            ("Les objectifs EGalim", [
                "50 % de produits durables et de qualité, dont 20 % de produits biologiques, en valeur d'achat. "
                "60 % pour les viandes et poissons. Une déclaration annuelle sur la plateforme ma-cantine.",
            ]),
            ("Compter juste", [
                "Seuls comptent les produits sous signe officiel de qualité ou mention valorisante listés par "
                "le code rural. Un produit local n'est pas en soi un produit durable au sens de la loi.",
            ]),
            ("Trois leviers pour une petite cantine", [
                "Allotir par famille de produits. Passer un accord-cadre avec un producteur pour les produits "
                "laitiers. Rejoindre un groupement de commandes pour l'épicerie biologique.",
            ]),
        ],
        "downloads": 57,
    },
    {
        "slug": "retour-experience-marche-reserve-esat",
        "title": "Retour d'expérience : marché réservé aux ESAT pour l'entretien des locaux",
        "doc_type": "retour_experience", "format": "odt", "owner": CLAIRE, "organisation": CHALON, "year": 2026,
        "themes": ["marches-reserves-ess", "produits-entretien"], "famille": "services", "cpv": ["90910000-9"],
        "levier": "reservation", "procedure": "mapa", "licence": "cc_by",
        "description": "Deux ans d'un marché réservé (article L. 2113-12) : sourçage, lots, difficultés "
                       "rencontrées et ce que nous changerions.",
        "sections": [
            ("Le contexte", [
                "Le centre hospitalier a réservé le lot « entretien des locaux administratifs » aux "
                "établissements et services d'aide par le travail et aux entreprises adaptées, en application "
                "de l'article L. 2113-12 du code de la commande publique.",
            ]),
            ("Le sourçage", [
                "Un inventaire des ESAT du département a montré que trois structures pouvaient répondre sur "
                "un périmètre de 4 000 m2. Le lot a été dimensionné en conséquence.",
            ]),
            ("Le bilan", [
                "Deux offres reçues, qualité de service jugée bonne par les services. Point d'attention : "
                "prévoir dès le CCTP les remplacements pendant les congés de l'encadrant.",
            ]),
        ],
        "downloads": 11,
    },
    {
        "slug": "dqe-rehabilitation-biosources",
        "title": "DQE réhabilitation d'une école en matériaux biosourcés",
        "doc_type": "dqe", "format": "ods", "owner": JULIEN, "organisation": NIEVRE, "year": 2026,
        "themes": ["construction-bas-carbone", "energie-batiment"], "famille": "travaux", "cpv": ["45262700-8"],
        "levier": "specification-technique", "procedure": "appel-d-offres", "licence": "licence_ouverte_2",
        "description": "Le détail quantitatif du lot isolation : fibre de bois, ouate de cellulose, chanvre ; "
                       "quantités, unités et exigences, prix retirés.",
        "table": {
            "title": "Détail quantitatif estimatif - lot 3 isolation",
            "header": ["N°", "Désignation", "Exigence", "Unité", "Quantité"],
            "rows": [
                ["3.1", "Isolation des combles en ouate de cellulose soufflée", "R >= 8 m2.K/W", "m2", "640"],
                ["3.2", "Isolation des murs par l'extérieur en fibre de bois", "R >= 4,5 m2.K/W", "m2", "1 120"],
                ["3.3", "Isolation des rampants en laine de chanvre", "R >= 6 m2.K/W", "m2", "210"],
                ["3.4", "Pare-vapeur hygrovariable", "Sd variable", "m2", "850"],
                ["3.5", "Enduit chaux-chanvre intérieur", "épaisseur 5 cm", "m2", "300"],
            ],
        },
        "downloads": 8,
    },
    {
        "slug": "cctp-vehicules-cout-global",
        "title": "CCTP renouvellement de flotte : véhicules notés en coût du cycle de vie",
        "doc_type": "cctp", "format": "pdf", "owner": VALERIE, "organisation": HAUT_JURA, "year": 2026,
        "themes": ["mobilite", "cout-global"], "famille": "fournitures", "cpv": ["34100000-8"],
        "levier": "critere-d-attribution", "procedure": "appel-d-offres", "licence": "licence_ouverte_2",
        "description": "Acquisition de six véhicules utilitaires : coût d'acquisition, énergie, entretien et "
                       "valeur de revente sur huit ans, selon une méthode publiée dans le DCE.",
        "sections": [
            ("Article 1 - Besoin", [
                "Six véhicules utilitaires légers pour les services techniques, parcourant en moyenne 9 000 km "
                "par an en zone de montagne, avec une autonomie réelle d'au moins 180 km en hiver.",
            ]),
            ("Article 2 - Coût du cycle de vie", [
                "Le coût du cycle de vie est calculé sur huit ans : prix d'acquisition, coût de l'énergie "
                "(consommation homologuée majorée de 20 % en hiver, prix de l'énergie fixé dans le DCE), "
                "entretien selon le plan du constructeur, valeur résiduelle déclarée et garantie.",
                "La méthode de calcul et les hypothèses sont communiquées dans le tableau annexé au DCE ; les "
                "candidats les renseignent sans les modifier.",
            ]),
            ("Article 3 - Notation", [
                "Coût du cycle de vie : 60 %. Valeur technique (autonomie hivernale, charge utile, délai) : "
                "30 %. Service après-vente de proximité et formation des agents à l'éco-conduite : 10 %.",
            ]),
        ],
        "downloads": 17,
    },
    {
        "slug": "guide-achat-public-durable-daj",
        "title": "Guide de l'achat public durable (fiche de lecture, lien vers la source)",
        "doc_type": "guide", "format": "pdf", "owner": KARIM, "organisation": AGENCE, "year": 2025,
        "themes": ["pilotage-spaser", "cout-global"], "licence": "tous_droits_reserves",
        "source_url": "https://www.economie.gouv.fr/daj/commande-publique",
        "description": "Notre fiche de lecture du guide national ; le guide lui-même se consulte à sa source.",
        "sections": [
            ("Ce que dit le guide", [
                "Le guide rappelle les outils juridiques de l'achat durable : définition du besoin, "
                "spécifications techniques, labels, critères d'attribution, conditions d'exécution, marchés "
                "réservés. Il recommande de commencer par les familles d'achat au plus fort impact.",
            ]),
            ("Ce que nous en retenons", [
                "Pour une petite collectivité : cartographier ses achats, choisir trois familles prioritaires, "
                "et demander l'appui du guichet vert pour les premières consultations.",
            ]),
        ],
        "downloads": 6,
    },
    # Waiting for the moderators (Sophie's review list), and one refused.
    {
        "slug": "cctp-restauration-lycee",
        "title": "CCTP restauration collective du lycée : menus végétariens et lutte contre le gaspillage",
        "doc_type": "cctp", "format": "pdf", "owner": THOMAS, "organisation": ARCADES, "year": 2026,
        "themes": ["alimentation-egalim"], "famille": "services", "cpv": ["55523100-3"],
        "levier": "condition-d-execution", "procedure": "appel-d-offres", "licence": "licence_ouverte_2",
        "state": "pending",
        "description": "Menu végétarien quotidien en option, pesée des restes, dons des excédents.",
        "sections": [
            ("Article 1 - Menus", [
                "Le titulaire propose chaque jour une option végétarienne et un menu végétarien hebdomadaire "
                "unique, conformément à l'article L. 230-5-6 du code rural.",
            ]),
            ("Article 2 - Gaspillage alimentaire", [
                "Les restes sont pesés deux semaines par trimestre. Les excédents consommables sont donnés à "
                "une association habilitée, selon une convention de don.",
            ]),
        ],
    },
    {
        "slug": "rapport-analyse-nettoyage-avec-prix",
        "title": "Rapport d'analyse nettoyage des vitres",
        "doc_type": "rapport_analyse", "format": "pdf", "owner": MARC, "organisation": SAINT_AUBIN, "year": 2026,
        "themes": ["produits-entretien"], "famille": "services", "licence": "licence_ouverte_2",
        "state": "rejected",
        "rejection": "Le rapport contient les noms des candidats et leurs prix détaillés : retirez-les, puis "
                     "déposez une nouvelle version.",
        "description": "Notre rapport d'analyse, pour l'exemple de notation.",
        "sections": [
            ("Analyse", [
                "Trois offres reçues ; notation sur le prix (60) et la valeur technique (40), dont 10 points "
                "pour l'usage de produits écolabellisés.",
            ]),
        ],
    },
]
