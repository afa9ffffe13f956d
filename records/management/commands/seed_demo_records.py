"""Demo patients for local development: obviously fictional people with a realistic spread of
records, on the demo doctor's and nurse's care teams, one of them linked to the demo patient
account, and one outside every care team (to try break-the-glass).

Runs after `seed_demo` (it needs the demo accounts) and only with DEBUG on. Idempotent: when
the demo patient's record exists, nothing is added.
"""

import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.management.commands.seed_demo import demo_email
from accounts.models import User
from accounts.roles import Role
from records import services
from records.models import Patient

FICTIONAL_PATIENTS = [
    ("Pat", "Demo-Patient", "female"),
    ("Alex", "Sampleton", "male"),
    ("Robin", "Fictionova", "female"),
    ("Sam", "Placeholder", "unknown"),
    ("Jordan", "Testwell", "male"),
    ("Casey", "Mockridge", "female"),
    ("Morgan", "Examplar", "intersex"),
    ("Taylor", "Dummington", "male"),
    ("Quinn", "Notreal", "female"),
    ("Riley", "Imaginary-Smith", "male"),
    ("Avery", "Pretendsworth", "female"),
    ("Jamie", "Outsideteam", "male"),
]
CONDITIONS = [("J45.909", "Asthma, uncomplicated"), ("E11.9", "Type 2 diabetes"), ("I10", "Essential hypertension")]
MEDICATIONS = [("Salbutamol", "100 mcg", "inhaled", "as needed"), ("Metformin", "500 mg", "oral", "twice daily")]
ALLERGIES = [("Penicillin", "Rash", "moderate"), ("Peanuts", "Anaphylaxis", "severe"), ("Latex", "Itching", "mild")]


class Command(BaseCommand):
    help = "Create fictional demo patients on the demo staff's care teams. Only with DEBUG on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo_records writes demo data; it runs only with DEBUG on.")
        try:
            staff = {
                role: User.objects.get(email=demo_email(role)) for role in (Role.RECEPTIONIST, Role.DOCTOR, Role.NURSE)
            }
            portal_user = User.objects.get(email=demo_email(Role.PATIENT))
        except User.DoesNotExist as error:
            raise CommandError("Run seed_demo first: the demo accounts are missing.") from error
        if Patient.objects.filter(user=portal_user).exists():
            self.stdout.write("Demo patients already exist.")
            return
        randomizer = random.Random(2026)  # noqa: S311 (demo data, not security)
        receptionist, doctor, nurse = staff[Role.RECEPTIONIST], staff[Role.DOCTOR], staff[Role.NURSE]
        now = timezone.now()
        for index, (given, family, sex) in enumerate(FICTIONAL_PATIENTS):
            patient = services.patient_register(
                actor=receptionist,
                data={
                    "given_name": given,
                    "family_name": family,
                    "date_of_birth": datetime.date(1950 + index * 5, 1 + index % 12, 1 + index),
                    "sex": sex,
                    "email": f"{given.lower()}.{family.lower()}@example.invalid",
                    "phone": f"+1 555 0100 {index:03d}",
                    "address": f"{index + 1} Example Street, Sampletown",
                    "emergency_contact": f"Fictional Relative {index + 1}, +1 555 0199 {index:03d}",
                },
            )
            if index == 0:
                patient.user = portal_user
                patient.save(update_fields=["user"])
            if family == "Outsideteam":
                continue  # nobody's patient: open it with break-the-glass
            for member in (doctor, nurse):
                services.care_team_add(
                    actor=receptionist, patient_id=patient.pk, member=member, team_role=member.role.value
                )
            self._records(patient, doctor, nurse, receptionist, randomizer, now, index)
        self.stdout.write(self.style.SUCCESS(f"{len(FICTIONAL_PATIENTS)} fictional demo patients created."))

    def _records(self, patient, doctor, nurse, receptionist, randomizer, now, index):
        def create(actor, name, data):
            return services.record_create(actor=actor, patient_id=patient.pk, record_type_name=name, data=data)

        encounter = create(
            doctor,
            "encounters",
            {
                "occurred_at": now - datetime.timedelta(days=30 + index),
                "kind": "office_visit",
                "reason": "Routine review",
            },
        )
        note = create(
            doctor, "notes", {"kind": "physician", "body": "Well. Continue current plan.", "encounter": encounter}
        )
        services.note_sign(actor=doctor, patient_id=patient.pk, note_id=note.pk)
        create(nurse, "notes", {"kind": "nursing", "body": "Vital signs taken; no concerns."})
        code, text = randomizer.choice(CONDITIONS)
        create(doctor, "conditions", {"icd10_code": code, "description": text, "onset_date": datetime.date(2020, 1, 1)})
        drug, dose, route, frequency = randomizer.choice(MEDICATIONS)
        create(
            doctor,
            "medications",
            {
                "drug": drug,
                "dose": dose,
                "route": route,
                "frequency": frequency,
                "start_date": datetime.date(2024, 1, 1),
            },
        )
        substance, reaction, severity = randomizer.choice(ALLERGIES)
        create(nurse, "allergies", {"substance": substance, "reaction": reaction, "severity": severity})
        for name, code_, value, unit, low, high in (
            ("Heart rate", "8867-4", str(randomizer.randint(55, 120)), "/min", 60, 100),
            (
                "Body temperature",
                "8310-5",
                f"{randomizer.uniform(36.1, 38.4):.1f}",
                "Cel",
                Decimal("36.1"),
                Decimal("37.5"),
            ),
        ):
            create(
                nurse,
                "observations",
                {
                    "code": code_,
                    "name": name,
                    "value": value,
                    "unit": unit,
                    "reference_low": low,
                    "reference_high": high,
                    "observed_at": now - datetime.timedelta(days=index),
                },
            )
        start = now.replace(minute=0, second=0, microsecond=0).replace(hour=8 + index % 9)
        create(
            receptionist,
            "appointments",
            {
                "clinician": doctor,
                "starts_at": start,
                "ends_at": start + datetime.timedelta(minutes=20),
                "reason": "Follow-up",
            },
        )
