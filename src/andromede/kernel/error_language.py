"""What an error tells its reader, in French (SecNumCloud 19.3), pure.

The errors that carry their facts as fields — an object not found, a quota exceeded, a
malformed request's field — are written again in French from those fields; the
sentences readers meet most (signing in, sessions, the customer's approval) from a fixed
list; any other detail stays as the business rule wrote it, in English."""

from collections.abc import Mapping
from typing import Any

from andromede.kernel.errors import AndromedeError, NotFound, QuotaExceeded

__all__ = ["FIXED", "KINDS", "VALIDATION", "detail_in", "validation_message"]

# what NotFound names, in French; another kind is quoted as it is
KINDS = {
    "API": "API",
    "application credential": "identifiant d'application",
    "checkpoint": "point de contrôle",
    "cluster node": "nœud de cluster",
    "cluster template": "modèle de cluster",
    "customer": "client",
    "document": "document",
    "erasure certificate": "certificat d'effacement",
    "flavor": "gabarit",
    "floating IP": "IP flottante",
    "host": "hôte",
    "image": "image",
    "image member": "membre de l'image",
    "image tag": "étiquette d'image",
    "instance action": "action sur l'instance",
    "invoice": "facture",
    "job": "tâche",
    "keypair": "paire de clés",
    "maintenance": "maintenance",
    "metadata key": "clé de métadonnées",
    "network": "réseau",
    "partner": "partenaire",
    "port": "port",
    "pinned mapping of flavor": "correspondance fixée du gabarit",
    "project": "projet",
    "reference price list": "grille de prix de référence",
    "reference price list published by": "grille de prix de référence publiée par",
    "region": "région",
    "router": "routeur",
    "schedule": "planning",
    "security group": "groupe de sécurité",
    "server": "serveur",
    "storage pool": "pool de stockage",
    "subnet": "sous-réseau",
    "supervision": "supervision",
    "tag": "étiquette",
    "token": "jeton",
    "user": "utilisateur",
    "volume": "volume",
    "volume attachment": "attachement de volume",
    "volume type": "type de volume",
    "webhook": "webhook",
    "zone": "zone",
}
FIXED = {
    "invalid username or password": "identifiant ou mot de passe invalide",
    "invalid token": "jeton invalide",
    "token expired": "jeton expiré",
    "token revoked": "jeton révoqué",
    "missing bearer token": "jeton porteur manquant",
    "sign in first": "connectez-vous d'abord",
    "signed out after a period without activity": "déconnecté après une période d'inactivité",
    "this account has MFA: give the one-time code (otp)": (
        "ce compte a la double authentification : donnez le code à usage unique (otp)"
    ),
    "this form has expired or did not come from this console; reload it": (
        "ce formulaire a expiré ou ne vient pas de cette console ; rechargez-le"
    ),
    "the customer's resources need an approved access request": (
        "les ressources du client demandent une demande d'accès approuvée"
    ),
    "the customer's inventory needs an approved access request": (
        "l'inventaire du client demande une demande d'accès approuvée"
    ),
    "the customer's grant allows reading only": (
        "l'autorisation du client ne permet que la lecture"
    ),
    "this token is not scoped to a project": "ce jeton n'est pas limité à un projet",
}
# a malformed request's field, by the validator's error type (its context's fields)
VALIDATION = {
    "missing": "champ requis",
    "extra_forbidden": "champ non attendu",
    "string_type": "doit être une chaîne de caractères",
    "string_too_short": "au moins {min_length} caractère(s)",
    "string_too_long": "au plus {max_length} caractères",
    "string_pattern_mismatch": "doit suivre le motif {pattern}",
    "int_type": "doit être un entier",
    "int_parsing": "doit être un entier",
    "int_from_float": "doit être un entier",
    "float_type": "doit être un nombre",
    "float_parsing": "doit être un nombre",
    "decimal_type": "doit être un nombre décimal",
    "decimal_parsing": "doit être un nombre décimal",
    "bool_type": "doit être un booléen",
    "bool_parsing": "doit être un booléen",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "literal_error": "doit valoir {expected}",
    "enum": "doit valoir {expected}",
    "list_type": "doit être une liste",
    "dict_type": "doit être un objet",
    "model_type": "doit être un objet",
    "model_attributes_type": "doit être un objet",
    "too_short": "au moins {min_length} élément(s)",
    "too_long": "au plus {max_length} éléments",
    "json_invalid": "JSON invalide : {error}",
    "uuid_type": "doit être un UUID",
    "uuid_parsing": "doit être un UUID",
    "datetime_type": "doit être une date et heure ISO 8601",
    "datetime_parsing": "doit être une date et heure ISO 8601",
    "datetime_from_date_parsing": "doit être une date et heure ISO 8601",
    "date_type": "doit être une date ISO 8601 (AAAA-MM-JJ)",
    "date_parsing": "doit être une date ISO 8601 (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "doit être une date ISO 8601 (AAAA-MM-JJ)",
}


def detail_in(error: AndromedeError, language: str) -> str:
    """The error's detail in ``language`` (``fr`` or ``en``)."""
    if language != "fr":
        return error.detail
    if isinstance(error, NotFound):
        kind = KINDS.get(error.kind, f"« {error.kind} »")
        return f"{kind} {error.ref!r} introuvable"
    if isinstance(error, QuotaExceeded):
        return (
            f"quota {error.quota!r} dépassé : limite {error.limit}, utilisé {error.used}, "
            f"demandé {error.requested}"
        )
    return FIXED.get(error.detail, error.detail)


def validation_message(
    error_type: str, message: str, context: Mapping[str, Any] | None, language: str
) -> str:
    """A field's message from the request validator, in ``language``; one whose type is
    not listed (a custom rule's sentence) stays as written."""
    template = VALIDATION.get(error_type) if language == "fr" else None
    if template is None:
        return message
    try:
        return template.format(**(context or {}))
    except (KeyError, IndexError):
        return message
