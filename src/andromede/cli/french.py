"""The CLI's messages in French, keyed by their English template (SecNumCloud 19.3).

A plain dictionary rather than a gettext catalogue: a client command must start fast,
and a template's ``{fields}`` are checked against its English key by a unit test."""

__all__ = ["FRENCH"]

FRENCH: dict[str, str] = {
    # errors and refusals
    "error: {message}": "erreur : {message}",
    "cannot reach {url}: {error}": "impossible de joindre {url} : {error}",
    "cannot read {path}: {error}": "impossible de lire {path} : {error}",
    "no file {path}": "aucun fichier {path}",
    "no scenario file {path}": "aucun fichier de scénario {path}",
    "{path}: {error}": "{path} : {error}",
    "the public key is 64 hexadecimal characters": (
        "la clé publique s'écrit en 64 caractères hexadécimaux"
    ),
    "--output must be table or json": "--output vaut table ou json",
    "the two new passwords differ": "les deux nouveaux mots de passe diffèrent",
    "nothing to set: give --name or --description": (
        "rien à modifier : donnez --name ou --description"
    ),
    "no {kind} {ref!r}": "aucun objet de type {kind} nommé {ref!r}",
    "{count} {kind}s are named {ref!r}: give the {kind}'s id": (
        "{count} objets de type {kind} s'appellent {ref!r} : donnez l'identifiant"
    ),
    "{option}: not an ISO date or time: {value!r}": (
        "{option} : ni une date ni une heure ISO : {value!r}"
    ),
    "month is YYYY-MM": "le mois s'écrit AAAA-MM",
    "--month must be YYYY-MM": "--month s'écrit AAAA-MM",
    "--term must be 1y or 3y": "--term vaut 1y ou 3y",
    "--starts-at: {value!r} is not an ISO 8601 time": (
        "--starts-at : {value!r} n'est pas une heure ISO 8601"
    ),
    "--limit {item!r}: expected NAME=N": "--limit {item!r} : attendu NOM=N",
    "--property takes key=value, not {pair!r}": "--property attend clé=valeur, pas {pair!r}",
    "--period {error}": "--period {error}",
    "--member {error}": "--member {error}",
    "--count {text!r}: write group=N, e.g. core=4": (
        "--count {text!r} : écrivez groupe=N, par exemple core=4"
    ),
    "--set {text!r}: write file:key=value, e.g. hdfs-site.xml:dfs.blocksize=256m": (
        "--set {text!r} : écrivez fichier:clé=valeur, par exemple hdfs-site.xml:dfs.blocksize=256m"
    ),
    "--file {path}: {error}": "--file {path} : {error}",
    "--file {path}: a JSON object (engine, version, image, node_groups, config)": (
        "--file {path} : un objet JSON (engine, version, image, node_groups, config)"
    ),
    "--conf {text!r}: write spark.key=value": "--conf {text!r} : écrivez spark.clé=valeur",
    "give --template or --file": "donnez --template ou --file",
    "give --cidr or --subnet-pool": "donnez --cidr ou --subnet-pool",
    "give --server or --port": "donnez --server ou --port",
    "--pool must be FIRST-LAST, such as 10.0.0.100-10.0.0.199, not {text!r}": (
        "--pool s'écrit PREMIÈRE-DERNIÈRE, par exemple 10.0.0.100-10.0.0.199, pas {text!r}"
    ),
    "--route must be DESTINATION=NEXTHOP, not {text!r}": (
        "--route s'écrit DESTINATION=PASSERELLE, pas {text!r}"
    ),
    "--port must be a port or a range such as 8000-8080, not {port!r}": (
        "--port est un port ou une plage comme 8000-8080, pas {port!r}"
    ),
    "no port of server {server!r} is visible": "aucun port du serveur {server!r} n'est visible",
    "{number!r} is not an invoice number": "{number!r} n'est pas un numéro de facture",
    "no invoice {number} that you can see": "aucune facture {number} qui vous soit visible",
    "--format must be one of {formats}": "--format vaut l'un de {formats}",
    "--lang must be fr or en": "--lang vaut fr ou en",
    "--amount: {value!r} is not an amount": "--amount : {value!r} n'est pas un montant",
    "--date: {value!r} is not YYYY-MM-DD": "--date : {value!r} ne s'écrit pas AAAA-MM-JJ",
    "--rate-date: not a date (YYYY-MM-DD): {value!r}": (
        "--rate-date : pas une date (AAAA-MM-JJ) : {value!r}"
    ),
    "--wholesale: follow or hold": "--wholesale : follow ou hold",
    "--at is required to apply (or use --dry-run)": (
        "--at est requis pour appliquer (ou utilisez --dry-run)"
    ),
    "--at is required to schedule a change (or use --dry-run)": (
        "--at est requis pour programmer un changement (ou utilisez --dry-run)"
    ),
    "{path} is not an export: {error}": "{path} n'est pas un export : {error}",
    "{path} is not a signed attestation: {error}": (
        "{path} n'est pas une attestation signée : {error}"
    ),
    "{path} is not a signed {field}: {error}": (
        "{path} n'est pas un document signé ({field}) : {error}"
    ),
    "{path}: {field} NOT verified: its signature does not match": (
        "{path} : {field} NON vérifié : sa signature ne correspond pas"
    ),
    "image {id}: {error}": "image {id} : {error}",
    "image {id}: the download does not match its checksum": (
        "image {id} : le téléchargement ne correspond pas à sa somme de contrôle"
    ),
    "timed out waiting for {id} (still {status})": "délai dépassé pour {id} (encore {status})",
    "timed out waiting for image {id}": "délai dépassé pour l'image {id}",
    "timed out waiting for job {id} (still {status})": (
        "délai dépassé pour la tâche {id} (encore {status})"
    ),
    # the server side
    "{path} exists; refusing to replace a signing key": (
        "{path} existe ; une clé de signature n'est jamais remplacée"
    ),
    "set ANDROMEDE_AUDIT_KEY_FILE to the signing key (andromede audit keygen)": (
        "indiquez la clé de signature dans ANDROMEDE_AUDIT_KEY_FILE (andromede audit keygen)"
    ),
    "checkpoint signed": "point de contrôle signé",
    "{path} holds no witness copy (checkpoints.jsonl)": (
        "{path} ne contient aucune copie témoin (checkpoints.jsonl)"
    ),
    "audit log NOT intact: {problem}": "journal d'audit NON intègre : {problem}",
    "audit log NOT intact against its witness: {problem}": (
        "journal d'audit NON intègre au regard de son témoin : {problem}"
    ),
    ", and its witness copy agrees": ", et sa copie témoin concorde",
    "audit log intact: {entries} entries, {checkpoints} checkpoints{agreed}": (
        "journal d'audit intègre : {entries} entrées, {checkpoints} points de contrôle{agreed}"
    ),
    "{count} entries blanked (older than {when})": (
        "{count} entrées effacées (antérieures à {when})"
    ),
    "{detail} (run andromede audit checkpoint first)": (
        "{detail} (lancez d'abord andromede audit checkpoint)"
    ),
    "{count} entries written to {path}": "{count} entrées écrites dans {path}",
    "export NOT verified: {problem}": "export NON vérifié : {problem}",
    "export verified: {count} entries in the signed log": (
        "export vérifié : {count} entrées dans le journal signé"
    ),
    "{month}: {issued} invoices issued, {already} already issued": (
        "{month} : {issued} factures émises, {already} déjà émises"
    ),
    "{sku}: list {price} from {at}, wholesale {wholesale}": (
        "{sku} : prix public {price} à partir du {at}, prix de gros {wholesale}"
    ),
    "simulating": "simulation de",
    "planning usage, partner by partner": "calcul des consommations, partenaire par partenaire",
    "issuing invoices": "émission des factures",
    "reading and rating {month}'s usage": "lecture et valorisation des consommations de {month}",
    "writing {month}'s files": "écriture des fichiers de {month}",
    "{invoices} invoices and credit notes, {segments} usage segments written to {path}": (
        "{invoices} factures et avoirs, {segments} segments d'usage écrits dans {path}"
    ),
    "initialised; first operator administrator: {admin}": (
        "initialisé ; premier administrateur de l'opérateur : {admin}"
    ),
    "record their vetting: `andromede staff vet {admin} --level enhanced --until DATE "
    "--office FR` (until then they act as support)": (
        "enregistrez son habilitation : `andromede staff vet {admin} --level enhanced "
        "--until DATE --office FR` (d'ici là, il agit comme support)"
    ),
    "staff MFA is required: run `andromede mfa enrol {admin}` before signing in": (
        "l'authentification à deux facteurs du personnel est exigée : lancez "
        "`andromede mfa enrol {admin}` avant de vous connecter"
    ),
    "refusing to start: {reasons}": "démarrage refusé : {reasons}",
    "ANDROMEDE_STAFF_LISTEN serves one process: set ANDROMEDE_API_WORKERS=1": (
        "ANDROMEDE_STAFF_LISTEN sert un seul processus : posez ANDROMEDE_API_WORKERS=1"
    ),
    "e-invoices handed to {folder}/outgoing (statuses read from statuses/)": (
        "factures électroniques déposées dans {folder}/outgoing (statuts lus dans statuses/)"
    ),
    "audit checkpoints signed with {key} (public key: {public})": (
        "points de contrôle d'audit signés avec {key} (clé publique : {public})"
    ),
    "demo data already loaded": "données de démonstration déjà chargées",
    "Demo logins (username / password / role):": (
        "Comptes de démonstration (identifiant / mot de passe / rôle) :"
    ),
    "API on {url}  (docs: /docs)": "API sur {url}  (documentation : /docs)",
    "Console on {url}/console/": "Console sur {url}/console/",
    "{username}: {level} vetting until {when}": "{username} : habilitation {level} jusqu'au {when}",
    "secret: {secret}": "secret : {secret}",
    "uri:    {uri}": "uri :    {uri}",
    "database is up to date": "la base de données est à jour",
    "role {role} may write every table and only append to the audit log": (
        "le rôle {role} peut écrire dans toutes les tables et seulement ajouter au journal d'audit"
    ),
    # signing in
    "logged in as {username} ({role}) on {url}": (
        "connecté en tant que {username} ({role}) sur {url}"
    ),
    "current password: ": "mot de passe actuel : ",
    "new password: ": "nouveau mot de passe : ",
    "new password again: ": "nouveau mot de passe, à nouveau : ",
    "password changed; log in again": "mot de passe changé ; reconnectez-vous",
    # kinds of object named on the command line
    "project": "projet",
    "server": "serveur",
    "network": "réseau",
    "router": "routeur",
    "schedule": "planning",
    "security group": "groupe de sécurité",
    "server group": "groupe de serveurs",
    "volume": "volume",
    "snapshot": "instantané",
    "backup": "sauvegarde",
    # what was done
    "server {id} deleted": "serveur {id} supprimé",
    "server {id} deleting": "serveur {id} en cours de suppression",
    "waiting for {id}": "attente de {id}",
    "server {id}: {status}": "serveur {id} : {status}",
    "network {id} deleted": "réseau {id} supprimé",
    "subnet {id} deleted": "sous-réseau {id} supprimé",
    "interface {id} removed": "interface {id} retirée",
    "router {id} deleted": "routeur {id} supprimé",
    "port {id} deleted": "port {id} supprimé",
    "floating IP {id} released": "IP flottante {id} libérée",
    "security group {id} deleted": "groupe de sécurité {id} supprimé",
    "rule {id} deleted": "règle {id} supprimée",
    "server {id} is in security group {group}": (
        "le serveur {id} est dans le groupe de sécurité {group}"
    ),
    "server {id} left security group {group}": (
        "le serveur {id} a quitté le groupe de sécurité {group}"
    ),
    "server group {id} deleted": "groupe de serveurs {id} supprimé",
    "deleted {ref}": "{ref} supprimé",
    "detached {ref}": "{ref} détaché",
    "image {id} deleted": "image {id} supprimée",
    "image {id} saved to {path}": "image {id} enregistrée dans {path}",
    "upload": "envoi",
    "download": "téléchargement",
    "saving {name}": "enregistrement de {name}",
    "cluster {id}": "cluster {id}",
    "cluster {id} deleting": "cluster {id} en cours de suppression",
    "job {id}": "tâche {id}",
    "job {name}: {status}": "tâche {name} : {status}",
    "template {ref} deleted": "modèle {ref} supprimé",
    "environment {id} deleting": "environnement {id} en cours de suppression",
    "schedule {ref} deleted": "planning {ref} supprimé",
    "project {ref}: no schedule": "projet {ref} : aucun planning",
    "project {ref}: schedule {schedule}": "projet {ref} : planning {schedule}",
    "now {state}; {servers} servers; times in {timezone}": (
        "actuellement {state} ; {servers} serveurs ; heures en {timezone}"
    ),
    "on": "allumé",
    "off": "éteint",
    "(no tags)": "(aucune étiquette)",
    "coverage: {coverage}": "couverture : {coverage}",
    "{path} ({size} bytes)": "{path} ({size} octets)",
    "{number}: {amount} received; {status}, {outstanding} outstanding": (
        "{number} : {amount} reçus ; {status}, {outstanding} restant dû"
    ),
    "e-invoices": "factures électroniques",
    "{path}: {projects} projects, {servers} servers, {keypairs} keypairs, {invoices} invoices": (
        "{path} : {projects} projets, {servers} serveurs, {keypairs} paires de clés, "
        "{invoices} factures"
    ),
    # sovereignty documents
    "complied": "conforme",
    "did NOT comply": "NON conforme",
    "partial, up to {until}": "partielle, jusqu'au {until}",
    "the whole month": "le mois entier",
    "{path}: {month} {verdict}; signed by {key}": "{path} : {month} {verdict} ; signé par {key}",
    "{path}: attestation verified ({month}, {scope}): {verdict}": (
        "{path} : attestation vérifiée ({month}, {scope}) : {verdict}"
    ),
    "{in_place} in place, {partial} partial, {absent} absent; "
    "{proven} of {total} proven; signed by {key}": (
        "{in_place} en place, {partial} partielles, {absent} absentes ; "
        "{proven} sur {total} prouvées ; signé par {key}"
    ),
    "{path}: compliance report verified (issued {issued}): "
    "{proven} of {total} requirements proven": (
        "{path} : rapport de conformité vérifié (émis le {issued}) : "
        "{proven} exigences prouvées sur {total}"
    ),
    # tables
    "field": "champ",
    "value": "valeur",
    "who": "qui",
    "{month} as billed": "{month} tel que facturé",
    "with the change": "avec le changement",
    "change": "écart",
    "Impact of the price change on last month": "Effet du changement de prix sur le mois dernier",
    "operator revenue": "chiffre d'affaires de l'opérateur",
    "margin of {partner}": "marge de {partner}",
    "bill of {customer}": "facture de {customer}",
    # price alignment
    "reading {name}": "lecture de {name}",
    "importing {size} bytes": "import de {size} octets",
    "{id}: {region} published {published} (version {version}), {count} instance types": (
        "{id} : {region} publiée le {published} (version {version}), {count} types d'instance"
    ),
    "flavor": "gabarit",
    "id": "id",
    "published": "publiée le",
    "version": "version",
    "rate": "taux",
    "rate date": "date du taux",
    "types": "types",
    "region": "région",
    "their type": "leur type",
    "ours EUR/h": "nous EUR/h",
    "theirs EUR/h": "eux EUR/h",
    "gap %": "écart %",
    "gap EUR/month": "écart EUR/mois",
    "Against {provider} {region}, {published}": "Face à {provider} {region}, {published}",
    " (pinned)": " (fixé)",
    "typical mix": "panier type",
    "ours EUR/month": "nous EUR/mois",
    "theirs EUR/month": "eux EUR/mois",
    "{flavor} is compared with {type}": "{flavor} est comparé à {type}",
    "{flavor} follows the mapping rule again": (
        "{flavor} suit de nouveau la règle de correspondance"
    ),
    "{id}: {count} list prices change from {when}, {protected} partners protected; "
    "partners are notified": (
        "{id} : {count} prix publics changent à partir du {when}, {protected} partenaires "
        "protégés ; les partenaires sont prévenus"
    ),
    "SKU": "Référence",
    "theirs before": "eux avant",
    "theirs after": "eux après",
    "list now": "prix public actuel",
    "list after": "prix public après",
    ", protected: {rate}": ", protégée : {rate}",
    "{partner}: margin on {sku} {before} -> {after} under the floor{protected}": (
        "{partner} : marge sur {sku} {before} -> {after} sous le plancher{protected}"
    ),
}
