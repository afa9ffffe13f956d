"""Who may do what with compliance's records: the rules, as plain functions.

Data-subject exports: a patient asks for and downloads their own export, from the portal or the
API, signed in as themselves; nobody else downloads it (staff never use a patient's link, whatever
their role). The compliance officer, completing an access or portability request, and an
operator's job may build one for a patient; building is not reading (they never see its content).
"""

from accounts.roles import Role
from audit.services import SYSTEM_ACTOR
from records.policies import role_of


def may_use_own_exports(user) -> bool:
    return user != SYSTEM_ACTOR and role_of(user) is Role.PATIENT


def may_build_export_for_others(actor) -> bool:
    return actor == SYSTEM_ACTOR or role_of(actor) is Role.COMPLIANCE
