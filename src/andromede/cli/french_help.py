"""The CLI's help texts in French (SecNumCloud 19.3), keyed by the English text Typer
reads from each command's docstring and each option's ``help``: a unit test walks the
command tree and fails on any help text missing here, or kept here for nothing."""

__all__ = ["FRENCH_HELP"]

FRENCH_HELP: dict[str, str] = {
    "Andromède: sovereign cloud control plane.": "Andromède : plan de contrôle de cloud souverain.",
    "Install completion for the current shell.": "Installer la complétion pour le shell courant.",
    "Show completion for the current shell, to copy it or customize the installation.": (
        "Afficher la complétion pour le shell courant, pour la copier ou adapter l'installation."
    ),
    (
        "Schedule a list price change, or with --dry-run show what it would have done to\nlast "
        "month: the operator's revenue, each partner's margin, each customer's bill."
    ): (
        "Programmer un changement de prix public, ou avec --dry-run montrer ce qu'il aurait fait "
        "au mois dernier : le chiffre d'affaires de l'opérateur, la marge de chaque partenaire, "
        "la facture de chaque client."
    ),
    "e.g. compute:SCS-2V-4:fr-par-1": "par exemple compute:SCS-2V-4:fr-par-1",
    "new list price, EUR excl. VAT": "nouveau prix public, EUR HT",
    "follow (keep the discount) or hold": "follow (garder la remise) ou hold",
    "when it takes effect (ISO 8601; UTC if no offset)": (
        "date d'effet (ISO 8601 ; UTC sans décalage)"
    ),
    "show last month's impact only": "montrer seulement l'effet sur le mois dernier",
    "Run a business scenario on a simulated clock; write its invoices and reports.": (
        "Jouer un scénario commercial sur une horloge simulée ; écrire ses factures et rapports."
    ),
    "scenario file (YAML), see examples/": "fichier de scénario (YAML), voir examples/",
    "directory for invoices, usage and margins": "dossier des factures, de l'usage et des marges",
    (
        "Create or upgrade the database and the operator's first administrator: a named\nperson, "
        "who acts as support until their vetting is recorded (`andromede staff vet`)."
    ): (
        "Créer ou mettre à niveau la base de données et le premier administrateur de l'opérateur "
        ": une personne nommée, qui agit comme support tant que son habilitation n'est pas "
        "enregistrée (`andromede staff vet`)."
    ),
    "the first operator administrator, a person (or ANDROMEDE_ADMIN_USERNAME)": (
        "le premier administrateur de l'opérateur, une personne (ou ANDROMEDE_ADMIN_USERNAME)"
    ),
    "Serve the API, with the reconciler running in the same process.": (
        "Servir l'API, avec le réconciliateur dans le même processus."
    ),
    "Run the reconciler loop alone (several workers share the work on PostgreSQL).": (
        "Lancer seul la boucle du réconciliateur (plusieurs workers se partagent le travail sur "
        "PostgreSQL)."
    ),
    (
        "Create the database, load demo data (once), print the logins and serve. Unless\n"
        "ANDROMEDE_AUDIT_KEY_FILE says otherwise, the audit signing key is created beside the\n"
        "database, so the demo signs audit checkpoints every minute. Staff MFA is optional in\n"
        "the demo (ANDROMEDE_STAFF_MFA=required turns it back on)."
    ): (
        "Créer la base de données, charger les données de démonstration (une fois), afficher les "
        "comptes et servir. Sauf si ANDROMEDE_AUDIT_KEY_FILE en décide autrement, la clé de "
        "signature d'audit est créée à côté de la base, et la démonstration signe des points de "
        "contrôle d'audit chaque minute. L'authentification à deux facteurs du personnel est "
        "facultative dans la démonstration (ANDROMEDE_STAFF_MFA=required la rétablit)."
    ),
    "Get a token and keep it for the next commands.": (
        "Obtenir un jeton et le garder pour les commandes suivantes."
    ),
    "one-time code, for accounts with MFA": (
        "code à usage unique, pour les comptes avec double authentification"
    ),
    "Change your own password; every token of yours is revoked, so log in again.": (
        "Changer votre propre mot de passe ; tous vos jetons sont révoqués, reconnectez-vous."
    ),
    "asked for when not given": "demandé s'il n'est pas donné",
    "asked for (twice) when not given": "demandé (deux fois) s'il n'est pas donné",
    "Database schema": "Schéma de la base de données",
    "Apply every migration to the configured database.": (
        "Appliquer toutes les migrations à la base de données configurée."
    ),
    (
        "PostgreSQL, as the schema owner: a role that may write every table but only append\nto "
        "the audit log. Run it again after each upgrade; migrations and `audit purge` stay\nwith "
        "the owner."
    ): (
        "PostgreSQL, en propriétaire du schéma : un rôle qui peut écrire dans toutes les tables "
        "mais seulement ajouter au journal d'audit. À relancer après chaque mise à niveau ; les "
        "migrations et `audit purge` restent au propriétaire."
    ),
    "the role serve and worker connect as": "le rôle sous lequel serve et worker se connectent",
    "Tamper-evident audit log (server side)": "Journal d'audit infalsifiable (côté serveur)",
    (
        "Create the checkpoint signing key (keep it outside the database); prints the public\n"
        "key, which auditors use to verify."
    ): (
        "Créer la clé de signature des points de contrôle (à garder hors de la base) ; affiche "
        "la clé publique, avec laquelle les auditeurs vérifient."
    ),
    "private key file to write": "fichier de clé privée à écrire",
    "Sign the current tree head now (the worker does it every minute).": (
        "Signer maintenant la tête de l'arbre (le worker le fait chaque minute)."
    ),
    (
        "Check every entry and checkpoint offline; name the first problem (exit 1). With\n"
        "--witness, also against the copy kept outside the database, which catches an insider\n"
        "who rewrote entries and re-signed the checkpoints with the key."
    ): (
        "Vérifier hors ligne chaque entrée et chaque point de contrôle ; nommer le premier "
        "problème (code 1). Avec --witness, aussi au regard de la copie gardée hors de la base, "
        "qui démasque un initié ayant réécrit des entrées et re-signé les points de contrôle "
        "avec la clé."
    ),
    "hex public key, or a file with it": (
        "clé publique en hexadécimal, ou un fichier qui la contient"
    ),
    "the witness folder (ANDROMEDE_AUDIT_WITNESS_DIR): compare the log to it": (
        "le dossier témoin (ANDROMEDE_AUDIT_WITNESS_DIR) : y comparer le journal"
    ),
    (
        "Blank entries past retention (never younger than 6 months); the tree still\nverifies: "
        "positions and leaf hashes stay."
    ): (
        "Effacer les entrées au-delà de la durée de conservation (jamais moins de 6 mois) ; "
        "l'arbre se vérifie toujours : positions et empreintes des feuilles restent."
    ),
    "ISO date or time: entries older are blanked": (
        "date ou heure ISO : les entrées plus anciennes sont effacées"
    ),
    "Everything the log holds about a customer, with inclusion proofs.": (
        "Tout ce que le journal contient sur un client, avec les preuves d'inclusion."
    ),
    "customer id": "identifiant du client",
    "JSON Lines file to write": "fichier JSON Lines à écrire",
    "Check a customer export with the public key alone: no database needed.": (
        "Vérifier l'export d'un client avec la seule clé publique : aucune base de données requise."
    ),
    "a file written by andromede audit export": "un fichier écrit par andromede audit export",
    "Operator staff (server side)": "Personnel de l'opérateur (côté serveur)",
    (
        "Server side: record a staff member's vetting (the first administrator's included,\n"
        "which nobody else can record); without one, staff use no customer grant."
    ): (
        "Côté serveur : enregistrer l'habilitation d'un membre du personnel (y compris celle du "
        "premier administrateur, que personne d'autre ne peut enregistrer) ; sans elle, le "
        "personnel n'utilise aucune autorisation d'accès client."
    ),
    "basic (read grants) or enhanced (operate grants)": (
        "basic (autorisations de lecture) ou enhanced (autorisations d'intervention)"
    ),
    "ISO date or time the vetting holds until": (
        "date ou heure ISO jusqu'à laquelle l'habilitation vaut"
    ),
    "the country of the staff member's office (FR, DE…)": (
        "le pays du bureau du membre du personnel (FR, DE…)"
    ),
    "Month close and invoices (server side)": "Clôture du mois et factures (côté serveur)",
    "Issue the month's invoices (once: closing again issues nothing new).": (
        "Émettre les factures du mois (une fois : clôturer à nouveau n'émet rien de plus)."
    ),
    "YYYY-MM": "AAAA-MM",
    "Cost-and-usage file (CSV, Parquet) and partner reconciliation file of a month.": (
        "Fichier de coûts et d'usage (CSV, Parquet) et fichier de rapprochement des partenaires "
        "d'un mois."
    ),
    "directory for the files": "dossier des fichiers",
    "TOTP MFA of your own account": "Double authentification TOTP de votre propre compte",
    "Start enrolment: add the URI to an authenticator app, then `mfa activate CODE`.": (
        "Commencer l'enrôlement : ajoutez l'URI à une application d'authentification, puis `mfa "
        "activate CODE`."
    ),
    "table or json": "table ou json",
    (
        "Server side: put TOTP in force on an account at once and print its secret. This is\nhow "
        "operator staff get their first factor when staff MFA is required."
    ): (
        "Côté serveur : mettre en vigueur TOTP sur un compte immédiatement et afficher son "
        "secret. C'est ainsi que le personnel de l'opérateur obtient son premier facteur quand "
        "la double authentification du personnel est exigée."
    ),
    "Prices aligned on the hyperscaler's public price list (server side)": (
        "Prix alignés sur la grille publique de l'hyperscaler (côté serveur)"
    ),
    "Keep their on-demand and reserved prices for one region, converted to EUR.": (
        "Garder leurs prix à la demande et réservés pour une région, convertis en EUR."
    ),
    "their price list file as downloaded (JSON or CSV)": (
        "leur fichier de prix tel que téléchargé (JSON ou CSV)"
    ),
    "their region, e.g. eu-west-3 (Paris)": "leur région, par exemple eu-west-3 (Paris)",
    "EUR per unit of the file's currency, e.g. 0.92": (
        "EUR par unité de la devise du fichier, par exemple 0.92"
    ),
    "the day of that rate (YYYY-MM-DD)": "le jour de ce taux (AAAA-MM-JJ)",
    "the currency the file's prices are in": "la devise des prix du fichier",
    "Their price lists as imported, newest publication first.": (
        "Leurs grilles de prix telles qu'importées, la plus récente d'abord."
    ),
    "Per flavor and region: our list price, theirs, the gap in % and EUR per month.": (
        "Par gabarit et région : notre prix public, le leur, l'écart en % et en EUR par mois."
    ),
    "their price list in force on that day": "leur grille de prix en vigueur ce jour-là",
    "a price list id instead": "un identifiant de grille de prix à la place",
    "a typical customer: FLAVOR:COUNT,...": "un client type : GABARIT:NOMBRE,...",
    "Compare ``flavor`` with this type whatever the rule says.": (
        "Comparer ``flavor`` à ce type quoi que dise la règle."
    ),
    "their type, e.g. m6i.xlarge": "leur type, par exemple m6i.xlarge",
    "Back to the rule for ``flavor``.": "Revenir à la règle pour ``flavor``.",
    "Show the alignment policy, or change what is given.": (
        "Afficher la politique d'alignement, ou changer ce qui est donné."
    ),
    "our target gap, e.g. -0.05 (5 % under)": (
        "notre écart visé, par exemple -0.05 (5 % en dessous)"
    ),
    "partners' lowest margin rate, e.g. 0.12": (
        "le taux de marge minimal des partenaires, par exemple 0.12"
    ),
    "days' notice partners get of a change": (
        "jours de préavis donnés aux partenaires avant un changement"
    ),
    "Follow their cut: new list prices that keep the gap, one audited change.": (
        "Suivre leur baisse : de nouveaux prix publics qui gardent l'écart, en un changement "
        "audité."
    ),
    "their price list before the cut (id)": "leur grille de prix avant la baisse (identifiant)",
    "their price list after the cut (id)": "leur grille de prix après la baisse (identifiant)",
    "instead of the policy's gap": "au lieu de l'écart de la politique",
    "protect partners under the margin floor": "protéger les partenaires sous le plancher de marge",
    "when it takes effect (after the notice)": "date d'effet (après le préavis)",
    "Partners": "Partenaires",
    "Customers": "Clients",
    "End the contract: a 21-day erasure notice starts (reversible until it ends).": (
        "Mettre fin au contrat : un préavis d'effacement de 21 jours commence (réversible "
        "jusqu'à son terme)."
    ),
    "Operator: erase everything once the notice has ended; prints the certificate.": (
        "Opérateur : tout effacer une fois le préavis écoulé ; affiche le certificat."
    ),
    "The whole inventory as JSON (format andromede.customer-export/1).": (
        "L'inventaire complet en JSON (format andromede.customer-export/1)."
    ),
    "file to write": "fichier à écrire",
    (
        "Rebuild an export's configuration in this customer (projects, keypairs, server\ngroups, "
        "security groups, networks, policies): all of it, or nothing."
    ): (
        "Reconstruire la configuration d'un export dans ce client (projets, paires de clés, "
        "groupes de serveurs, groupes de sécurité, réseaux, politiques) : tout, ou rien."
    ),
    "a file written by customer export": "un fichier écrit par customer export",
    "Projects": "Projets",
    "Users": "Utilisateurs",
    "Regions": "Régions",
    "Flavors": "Gabarits",
    "Images": "Images",
    "The images the project may boot: the catalog's, its own, those shared with it.": (
        "Les images que le projet peut démarrer : celles du catalogue, les siennes, celles "
        "partagées avec lui."
    ),
    "the project's id or unique name": "l'identifiant ou le nom unique du projet",
    "A new image of the project from a local file, streamed to the region's store.": (
        "Une nouvelle image du projet depuis un fichier local, envoyée en flux au stockage de la "
        "région."
    ),
    "key=value (repeat)": "clé=valeur (à répéter)",
    "where its bytes live (else the first region the policy allows)": (
        "où ses octets résident (sinon la première région que la politique autorise)"
    ),
    "The image's bytes into a local file, streamed; checked against its checksum.": (
        "Les octets de l'image dans un fichier local, en flux ; vérifiés par leur somme de "
        "contrôle."
    ),
    "Servers": "Serveurs",
    "a group to join (repeat); none: the default group": (
        "un groupe à rejoindre (à répéter) ; aucun : le groupe par défaut"
    ),
    "a network (id or name; repeat); none: the region's provider": (
        "un réseau (identifiant ou nom ; à répéter) ; aucun : celui du fournisseur dans la région"
    ),
    "a few words on what it is for": "quelques mots sur son usage",
    "Every action but unlock is refused until it is unlocked.": (
        "Toute action sauf le déverrouillage est refusée tant qu'il est verrouillé."
    ),
    "why, shown to whoever finds it locked": "pourquoi, affiché à qui le trouve verrouillé",
    "Renames or describes the server.": "Renomme ou décrit le serveur.",
    "a new name": "un nouveau nom",
    "a new description ('' clears it)": "une nouvelle description ('' l'efface)",
    "The same server started again from an image, its disk wiped.": (
        "Le même serveur redémarré depuis une image, son disque effacé."
    ),
    "the image to start again from (name or id)": (
        "l'image depuis laquelle redémarrer (nom ou identifiant)"
    ),
    "Replace the server's tags (e.g. ``schedule=office-hours``); none clears them.": (
        "Remplacer les étiquettes du serveur (par exemple ``schedule=office-hours``) ; aucune "
        "les efface."
    ),
    "The server joins one of its project's groups (by name or id).": (
        "Le serveur rejoint l'un des groupes de son projet (par nom ou identifiant)."
    ),
    "A private image of the server's disk, in its region.": (
        "Une image privée du disque du serveur, dans sa région."
    ),
    "the image's name": "le nom de l'image",
    "until the image is active": "jusqu'à ce que l'image soit active",
    "The serial console's log, as the region's hypervisor keeps it.": (
        "Le journal de la console série, tel que l'hyperviseur de la région le garde."
    ),
    "the last N lines only": "les N dernières lignes seulement",
    "Sends the guest a non-maskable interrupt (an active, unlocked server only).": (
        "Envoie à l'invité une interruption non masquable (un serveur actif et déverrouillé "
        "seulement)."
    ),
    "Security groups: which traffic reaches servers": (
        "Groupes de sécurité : quel trafic atteint les serveurs"
    ),
    "the project's id or name": "l'identifiant ou le nom du projet",
    "The group and its rules, one per line.": "Le groupe et ses règles, une par ligne.",
    "ingress or egress": "ingress ou egress",
    "tcp, udp, icmp, … or a number; any if unset": (
        "tcp, udp, icmp, … ou un numéro ; tous si absent"
    ),
    "a port or a range (8000-8080); ICMP: the type": (
        "un port ou une plage (8000-8080) ; ICMP : le type"
    ),
    "the remote prefix, e.g. 203.0.113.0/24": "le préfixe distant, par exemple 203.0.113.0/24",
    "a group whose members are admitted": "un groupe dont les membres sont admis",
    "IPv4 or IPv6": "IPv4 ou IPv6",
    "Server groups: members on one host, or on different hosts": (
        "Groupes de serveurs : membres sur un même hôte, ou sur des hôtes différents"
    ),
    "affinity, anti-affinity, soft-affinity or soft-anti-affinity": (
        "affinity, anti-affinity, soft-affinity ou soft-anti-affinity"
    ),
    "anti-affinity: members one host may take (default 1)": (
        "anti-affinité : membres qu'un même hôte peut prendre (1 par défaut)"
    ),
    "The group and its members.": "Le groupe et ses membres.",
    "Volume types: what a region's volumes can be": (
        "Types de volume : ce que peuvent être les volumes d'une région"
    ),
    "one region's only": "d'une seule région",
    "the label its pools carry": "l'étiquette que portent ses pools",
    "one volume on several servers at once": "un volume sur plusieurs serveurs à la fois",
    "Storage pools: where volumes live, their size and claims (operator)": (
        "Pools de stockage : où résident les volumes, leur taille et leurs réservations (opérateur)"
    ),
    "e.g. ceph-rbd": "par exemple ceph-rbd",
    "a type it serves (repeat)": "un type qu'il sert (à répéter)",
    "over-subscription, from 1 to 20": "sur-allocation, de 1 à 20",
    "a larger size": "une taille plus grande",
    "Volumes: disks that outlive servers": "Volumes : des disques qui survivent aux serveurs",
    "GiB (default: the source's)": "Gio (par défaut : celle de la source)",
    "default: the region's": "par défaut : celle de la région",
    "a bootable volume of this image": "un volume amorçable de cette image",
    "a snapshot's id or name": "l'identifiant ou le nom d'un instantané",
    "a volume to copy": "un volume à copier",
    "Attached or not; a volume never shrinks.": "Attaché ou non ; un volume ne rétrécit jamais.",
    "the new size in GiB": "la nouvelle taille en Gio",
    "a project of the same customer": "un projet du même client",
    (
        "A new private image of the volume's project with the volume's content, stored in\nthe "
        "volume's region."
    ): (
        "Une nouvelle image privée du projet du volume, avec le contenu du volume, stockée dans "
        "la région du volume."
    ),
    "the new image's name": "le nom de la nouvelle image",
    "copy an attached volume": "copier un volume attaché",
    "the server's id or name": "l'identifiant ou le nom du serveur",
    "default: the next /dev/vdX": "par défaut : le /dev/vdX suivant",
    "delete the volume with the server": "supprimer le volume avec le serveur",
    "Refused while attached or with snapshots.": "Refusé s'il est attaché ou a des instantanés.",
    "The project's storage quotas and what counts against them.": (
        "Les quotas de stockage du projet et ce qui s'y impute."
    ),
    "Operator administrators: -1 is unlimited; per type as volumes_<type>.": (
        "Administrateurs de l'opérateur : -1 est illimité ; par type en volumes_<type>."
    ),
    "NAME=N, e.g. volumes=10 (repeat)": "NOM=N, par exemple volumes=10 (à répéter)",
    "Snapshots of volumes": "Instantanés de volumes",
    "even if the volume is attached": "même si le volume est attaché",
    "Backups of volumes, in their region's backup store": (
        "Sauvegardes de volumes, dans le stockage de sauvegarde de leur région"
    ),
    "of the new volume": "du nouveau volume",
    "an available volume": "un volume disponible",
    "Networks and their subnets": "Réseaux et leurs sous-réseaux",
    "The shared networks, and the project's own.": "Les réseaux partagés, et ceux du projet.",
    "else the first region the policy allows": "sinon la première région que la politique autorise",
    "The network and its subnets, one per line.": "Le réseau et ses sous-réseaux, un par ligne.",
    "e.g. 10.0.0.0/24 or 2001:db8::/64": "par exemple 10.0.0.0/24 ou 2001:db8::/64",
    "carve it from this pool": "le découper dans ce pool",
    "the carved block's length": "la longueur du bloc découpé",
    "else the first address": "sinon la première adresse",
    "FIRST-LAST, repeatable": "PREMIÈRE-DERNIÈRE, à répéter",
    "a DNS server, repeatable": "un serveur DNS, à répéter",
    "Routers: subnets joined, a gateway, routes": (
        "Routeurs : sous-réseaux reliés, une passerelle, des routes"
    ),
    "an external network (id or name)": "un réseau externe (identifiant ou nom)",
    "The router joins the subnet at its gateway address.": (
        "Le routeur rejoint le sous-réseau à l'adresse de sa passerelle."
    ),
    "Replaces the router's extra routes (none given: clears them).": (
        "Remplace les routes supplémentaires du routeur (aucune donnée : les efface)."
    ),
    "DESTINATION=NEXTHOP, repeatable": "DESTINATION=PASSERELLE, à répéter",
    "Ports: an address on a network, to bind later": (
        "Ports : une adresse sur un réseau, à lier plus tard"
    ),
    "the network's id or name": "l'identifiant ou le nom du réseau",
    "else the next free one of the pools": "sinon la suivante libre des pools",
    "Floating IPs: public addresses, billed per hour held": (
        "IP flottantes : des adresses publiques, facturées à l'heure de détention"
    ),
    "forward it to this server at once": "la rediriger tout de suite vers ce serveur",
    "the server whose port it forwards to": "le serveur vers le port duquel elle redirige",
    "else the port": "sinon le port",
    "On/off schedules for servers (Dev & Test)": (
        "Plannings d'allumage et d'extinction des serveurs (Dev & Test)"
    ),
    "Create a schedule; tag servers ``schedule=<name>`` to put them on it.": (
        "Créer un planning ; étiquetez les serveurs ``schedule=<nom>`` pour les y mettre."
    ),
    "e.g. 'mon-fri 08:00-19:00'": "par exemple 'mon-fri 08:00-19:00'",
    "IANA time zone of the periods": "fuseau horaire IANA des périodes",
    "skip public holidays: FR, FR-57, FR-974…": "sauter les jours fériés : FR, FR-57, FR-974…",
    "a date to skip, YYYY-MM-DD": "une date à sauter, AAAA-MM-JJ",
    "undo starts and stops made by hand": "défaire les démarrages et arrêts faits à la main",
    "leave on what was started by hand": "laisser allumé ce qui a été démarré à la main",
    "stop new servers outside the periods": "arrêter les nouveaux serveurs hors des périodes",
    "customer id (a partner's customer)": "identifiant du client (un client d'un partenaire)",
    "a partner's template for its customers": "un modèle de partenaire pour ses clients",
    "A customer's own copy of a partner's template.": (
        "La copie propre à un client d'un modèle de partenaire."
    ),
    "the copy's name (the template's by default)": (
        "le nom de la copie (celui du modèle par défaut)"
    ),
    "The starts and stops ahead, in the schedule's time zone.": (
        "Les démarrages et arrêts à venir, dans le fuseau horaire du planning."
    ),
    "replaces the periods": "remplace les périodes",
    "FR, FR-57…, or 'none'": "FR, FR-57…, ou 'none'",
    "replaces the skipped dates": "remplace les dates sautées",
    "Delete it: its servers stay as they are (their tag then names nothing).": (
        "Le supprimer : ses serveurs restent en l'état (leur étiquette ne désigne alors plus rien)."
    ),
    "Put every server of a project on a schedule (a server's own tag wins).": (
        "Mettre tous les serveurs d'un projet sur un planning (l'étiquette propre d'un serveur "
        "l'emporte)."
    ),
    "a schedule, or 'none'": "un planning, ou 'none'",
    "Environments: servers made and switched together": (
        "Environnements : des serveurs créés et commutés ensemble"
    ),
    "Make the servers of an environment; a member that cannot be made is named (retry).": (
        "Créer les serveurs d'un environnement ; un membre qui ne peut être créé est nommé "
        "(réessayez)."
    ),
    "project id or name": "identifiant ou nom du projet",
    "web=SCS-1V-2:debian-12x2": "web=SCS-1V-2:debian-12x2",
    "affinity or anti-affinity": "affinity ou anti-affinity",
    "stopped after this many hours on": "arrêté après autant d'heures allumé",
    "deleted then (ISO 8601 with a zone)": "supprimé alors (ISO 8601 avec un fuseau)",
    "Start every member; the time to live counts from now.": (
        "Démarrer chaque membre ; la durée de vie compte à partir de maintenant."
    ),
    "More time on (hours) or a later deletion (days).": (
        "Plus de temps allumé (heures) ou une suppression plus tardive (jours)."
    ),
    "Make the members that could not be made.": "Créer les membres qui n'ont pu être créés.",
    "Hadoop and Spark clusters": "Clusters Hadoop et Spark",
    "Publish a template (the operator's for everyone, a partner's for its customers).": (
        "Publier un modèle (celui de l'opérateur pour tous, celui d'un partenaire pour ses "
        "clients)."
    ),
    "the shape, as JSON": "la forme, en JSON",
    "Make a cluster: every node a server of the project, on hosts of their own.": (
        "Créer un cluster : chaque nœud est un serveur du projet, sur des hôtes à lui."
    ),
    "a template's id or name": "l'identifiant ou le nom d'un modèle",
    "a whole shape, as JSON": "une forme complète, en JSON",
    "group=N, over the template's": "groupe=N, par-dessus celle du modèle",
    "file:key=value": "fichier:clé=valeur",
    "deleted once its jobs are over": "supprimé une fois ses tâches terminées",
    "until ACTIVE (or ERROR), with progress": "jusqu'à ACTIVE (ou ERROR), avec la progression",
    "Resize worker groups: task nodes go at once, core nodes are drained first.": (
        "Redimensionner les groupes de workers : les nœuds de tâche partent aussitôt, les nœuds "
        "cœur sont d'abord vidés."
    ),
    "group=N": "groupe=N",
    "until ACTIVE again, with progress": "jusqu'à ACTIVE de nouveau, avec la progression",
    "A node's configuration files, as the cluster is now.": (
        "Les fichiers de configuration d'un nœud, tels que le cluster est maintenant."
    ),
    "Submit a Spark application to a cluster; ``--wait`` prints its driver's output.": (
        "Soumettre une application Spark à un cluster ; ``--wait`` affiche la sortie de son driver."
    ),
    "a .py or .jar file": "un fichier .py ou .jar",
    "an argument of the application": "un argument de l'application",
    "a file put beside it": "un fichier posé à côté",
    "spark.key=value": "spark.clé=valeur",
    "until it ends, then its output": "jusqu'à sa fin, puis sa sortie",
    "A job, with the last lines of its driver's output.": (
        "Une tâche, avec les dernières lignes de la sortie de son driver."
    ),
    "Residency policies": "Politiques de résidence",
    "A new version of the scope's policy; prints what no longer complies.": (
        "Une nouvelle version de la politique de la portée ; affiche ce qui n'est plus conforme."
    ),
    "operator, partner, customer or project": "operator, partner, customer ou project",
    "the id (operator: 'operator')": "l'identifiant (opérateur : 'operator')",
    "in:eu, in:fr, in:FR-BRE, a region or a zone": (
        "in:eu, in:fr, in:FR-BRE, une région ou une zone"
    ),
    "same terms as --allow": "mêmes termes que --allow",
    "enforce or audit": "enforce ou audit",
    "Where every resource of a customer is, now.": (
        "Où se trouve maintenant chaque ressource d'un client."
    ),
    "Fetch the signed residency attestation of a customer for a month.": (
        "Récupérer l'attestation de résidence signée d'un client pour un mois."
    ),
    "file for the signed document": "fichier du document signé",
    "Signed residency attestations": "Attestations de résidence signées",
    (
        "Check an attestation with the operator's public key alone: no server, no database.\n"
        "Exit 0 when the signature holds, 1 when it does not (altered, or another key's)."
    ): (
        "Vérifier une attestation avec la seule clé publique de l'opérateur : ni serveur, ni "
        "base de données. Code 0 quand la signature tient, 1 sinon (altérée, ou d'une autre clé)."
    ),
    "a file written by andromede policy attest": "un fichier écrit par andromede policy attest",
    "the operator's hex public key, or a file with it": (
        "la clé publique de l'opérateur en hexadécimal, ou un fichier qui la contient"
    ),
    "SecNumCloud compliance report": "Rapport de conformité SecNumCloud",
    (
        "SecNumCloud R1-R22: each requirement's controls, the tests that prove them with\ntheir "
        "result in this build's last test run, and what is missing (operator staff)."
    ): (
        "SecNumCloud R1-R22 : les contrôles de chaque exigence, les tests qui les prouvent avec "
        "leur résultat au dernier passage des tests de cette version, et ce qui manque "
        "(personnel de l'opérateur)."
    ),
    "file for the signed report": "fichier du rapport signé",
    (
        "Check a compliance report with the operator's public key alone. Exit 0 when the\n"
        "signature holds, 1 when it does not."
    ): (
        "Vérifier un rapport de conformité avec la seule clé publique de l'opérateur. Code 0 "
        "quand la signature tient, 1 sinon."
    ),
    "a file written by andromede compliance report": (
        "un fichier écrit par andromede compliance report"
    ),
    "Maintenance windows and the notices they send": (
        "Fenêtres de maintenance et les avis qu'elles envoient"
    ),
    (
        "Announce a window; every customer with resources on the site, and each of their\n"
        "partners, gets one notice."
    ): (
        "Annoncer une fenêtre ; chaque client ayant des ressources sur le site, et chacun de ses "
        "partenaires, reçoit un avis."
    ),
    "ISO 8601 with its offset, 2026-12-12T22:00:00+01:00": (
        "ISO 8601 avec son décalage, 2026-12-12T22:00:00+01:00"
    ),
    "the same form": "la même forme",
    "what will be done": "ce qui sera fait",
    "none, degraded or outage": "none, degraded ou outage",
    "who customers reach meanwhile": "qui les clients joignent pendant ce temps",
    "one zone of the region only": "une seule zone de la région",
    "Staff access to customer data, approved by the customer": (
        "Accès du personnel aux données des clients, approuvé par le client"
    ),
    "Staff: ask a customer for access to its data.": (
        "Personnel : demander à un client l'accès à ses données."
    ),
    "why: the ticket and what you need to look at": (
        "pourquoi : le ticket et ce que vous devez consulter"
    ),
    "read, or operate (also act on resources)": "read, ou operate (agir aussi sur les ressources)",
    "how long, at most 480": "pour combien de temps, au plus 480",
    "ISO country code of where you are now": "code pays ISO du lieu où vous êtes maintenant",
    "Customer admin: open the grant for the duration asked.": (
        "Administrateur client : ouvrir l'autorisation pour la durée demandée."
    ),
    "Customer admin: refuse the request.": "Administrateur client : refuser la demande.",
    "End the grant (or withdraw the request) now.": (
        "Mettre fin à l'autorisation (ou retirer la demande) maintenant."
    ),
    "The customer's transparency feed: every staff request and access, with its grant.": (
        "Le fil de transparence du client : chaque demande et chaque accès du personnel, avec "
        "son autorisation."
    ),
    (
        "Who can reach the customer's resources, what each may do, and why (auditors, the\n"
        "customer's and the partner's administrators)."
    ): (
        "Qui peut atteindre les ressources du client, ce que chacun peut faire, et pourquoi "
        "(auditeurs, administrateurs du client et du partenaire)."
    ),
    "one project's only": "d'un seul projet",
    "Every right of one account: its permissions, the data it reaches, its grants.": (
        "Tous les droits d'un compte : ses permissions, les données qu'il atteint, ses "
        "autorisations."
    ),
    (
        "EU staff: supervise live a staff member working from outside the EU; only while it\n"
        "runs are their requests served."
    ): (
        "Personnel de l'UE : superviser en direct un membre du personnel travaillant hors de "
        "l'UE ; ses requêtes ne sont servies que tant que la supervision dure."
    ),
    "why: the ticket, the shift": "pourquoi : le ticket, la permanence",
    "Its supervisor (or an operator administrator): end it now.": (
        "Son superviseur (ou un administrateur de l'opérateur) : y mettre fin maintenant."
    ),
    "Reserved capacity for one or three years": "Capacité réservée pour un ou trois ans",
    "What can be bought, at your price (upfront per reservation, hourly per hour).": (
        "Ce qui peut être acheté, à votre prix (initial par réservation, horaire par heure)."
    ),
    "customer id (a customer's own by default)": (
        "identifiant du client (le sien par défaut pour un client)"
    ),
    "Buy reservations (they cannot be cancelled).": (
        "Acheter des réservations (elles ne peuvent être annulées)."
    ),
    "1y or 3y": "1y ou 3y",
    "all-upfront, partial-upfront or no-upfront": "all-upfront, partial-upfront ou no-upfront",
    "ISO 8601 with a zone; now by default": "ISO 8601 avec un fuseau ; maintenant par défaut",
    "Chorus Pro service code for this purchase's invoices": (
        "code service Chorus Pro pour les factures de cet achat"
    ),
    "Chorus Pro commitment number (numéro d'engagement)": "numéro d'engagement Chorus Pro",
    "The reservation and its utilization since it started.": (
        "La réservation et son utilisation depuis son début."
    ),
    "Utilization, coverage, savings and recommendations of a month.": (
        "Utilisation, couverture, économies et recommandations d'un mois."
    ),
    "Prepaid commitments": "Engagements prépayés",
    "EUR excl. VAT, e.g. 50000.00": "EUR HT, par exemple 50000.00",
    "fraction added to the credit, set by the partner": (
        "fraction ajoutée au crédit, fixée par le partenaire"
    ),
    "Balance, what each month drew, expiry and what would be forfeited.": (
        "Solde, ce que chaque mois a consommé, échéance et ce qui serait perdu."
    ),
    "Invoices and credit notes, and their e-invoices": (
        "Factures et avoirs, et leurs factures électroniques"
    ),
    "The invoice with its lines, what was paid and where its e-invoice stands.": (
        "La facture avec ses lignes, ce qui a été payé et où en est sa facture électronique."
    ),
    "The legal Factur-X (PDF/A-3 with its CII), the CII or UBL XML, or the readable PDF.": (
        "La Factur-X légale (PDF/A-3 avec sa CII), le XML CII ou UBL, ou le PDF lisible."
    ),
    "facturx, cii, ubl or pdf": "facturx, cii, ubl ou pdf",
    "fr or en (the readable pdf)": "fr ou en (le pdf lisible)",
    "file to write; NUMBER.<format> here": "fichier à écrire ; NUMÉRO.<format> ici",
    "The e-invoice's lifecycle with the platform: ready, submitted, received, paid…": (
        "Le cycle de vie de la facture électronique auprès de la plateforme : prête, déposée, "
        "reçue, payée…"
    ),
    "Payments received on invoices": "Paiements reçus sur les factures",
    "Record a payment received on an invoice (partial payments add up).": (
        "Enregistrer un paiement reçu sur une facture (les paiements partiels s'additionnent)."
    ),
    "received, e.g. 1200.00": "reçu, par exemple 1200.00",
    "YYYY-MM-DD; today by default": "AAAA-MM-JJ ; aujourd'hui par défaut",
    "transfer, direct_debit, card, cheque, other": "transfer, direct_debit, card, cheque, other",
    "the bank's or the payer's reference": "la référence de la banque ou du payeur",
    "keep an excess as a credit on account": "garder un excédent en crédit sur le compte",
    "Overdue invoices per debtor, largest amount first.": (
        "Factures échues par débiteur, le plus gros montant d'abord."
    ),
    "Payment data of the month to e-report (services taxed on receipts).": (
        "Données de paiement du mois à télédéclarer (services taxés à l'encaissement)."
    ),
    "CSV file to write": "fichier CSV à écrire",
    (
        "who it belongs to, an employee number or an e-mail (required for the operator's "
        "staff and the accounts they make)"
    ): (
        "à qui il appartient, un matricule ou un e-mail (requis pour le personnel de "
        "l'opérateur et les comptes qu'il crée)"
    ),
}
