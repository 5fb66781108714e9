"""schema.org data for search engines: what a question page says, as JSON-LD.

The page carries two items: a `QAPage` (the question and the doctor's accepted answer) and a
`MedicalWebPage` (its specialty and, once a doctor has approved its More Info, who reviewed it and when).
Only public text goes in: the masked title and question, the pseudonym, the doctor's public name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import DoctorProfile

from .models import Question, Reply

# schema.org's MedicalSpecialty values for the departments that have one; the others name the department.
SPECIALTIES = {
    "anesthesiology": "Anesthesia",
    "cardiology": "Cardiovascular",
    "dentistry": "Dentistry",
    "dermatology": "Dermatologic",
    "family-medicine": "PrimaryCare",
    "gastroenterology": "Gastroenterologic",
    "general-surgery": "Surgical",
    "geriatrics": "Geriatric",
    "influenza": "Infectious",
    "internal-medicine": "PrimaryCare",
    "neurology": "Neurologic",
    "nutrition": "DietNutrition",
    "obstetrics-gynecology": "Gynecologic",
    "oncology": "Oncologic",
    "ophthalmology": "Optometric",
    "orthopedics": "Musculoskeletal",
    "otolaryngology": "Otolaryngologic",
    "pediatrics": "Pediatric",
    "pharmacy": "PharmacySpecialty",
    "plastic-surgery": "PlasticSurgery",
    "psychiatry": "Psychiatric",
    "pulmonology": "Pulmonary",
    "radiology": "Radiography",
    "rare-diseases": "Genetic",
    "rehabilitation": "Physiotherapy",
    "urology": "Urologic",
}


def absolute_url(path: str) -> str:
    """The public address of a path on this site, from SITE_URL (not from the request's Host header)."""
    return settings.SITE_URL + path


def _when(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _doctor(doctor: DoctorProfile) -> dict[str, Any]:
    return {"@type": "Person", "name": doctor.display_name, "url": absolute_url(doctor.get_absolute_url())}


def _reviewer(reviewer: object) -> dict[str, Any] | None:
    if isinstance(reviewer, DoctorProfile):
        return _doctor(reviewer)
    name = getattr(reviewer, "display_name", None) or (reviewer if isinstance(reviewer, str) else None)
    return {"@type": "Person", "name": str(name)} if name else None


def question_page(*, question: Question, reply: Reply | None, more_info: object | None = None) -> list[dict[str, Any]]:
    """The JSON-LD items of a published question's page.

    `more_info` is whatever the page shows as More Info; when it has `reviewed_at` and `reviewed_by`
    (set once a doctor approved it), the page says who reviewed it and when.
    """
    url = absolute_url(question.get_absolute_url())
    language = get_language() or settings.LANGUAGE_CODE
    entity: dict[str, Any] = {
        "@type": "Question",
        "name": question.display_title,
        "text": question.public_body,
        "dateCreated": _when(question.created_at),
        "author": {"@type": "Person", "name": question.pseudonym},
        "answerCount": 1 if reply else 0,
    }
    if reply is not None:
        entity["acceptedAnswer"] = {
            "@type": "Answer",
            "text": reply.body,
            "dateCreated": _when(reply.created_at),
            "url": f"{url}#answer",
            "author": _doctor(reply.doctor),
        }
    qa_page = {
        "@context": "https://schema.org",
        "@type": "QAPage",
        "url": url,
        "inLanguage": language,
        "mainEntity": entity,
    }

    medical: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": url,
        "name": question.display_title,
        "inLanguage": language,
    }
    if question.department is not None:
        specialty = SPECIALTIES.get(question.department.slug)
        medical["specialty"] = f"https://schema.org/{specialty}" if specialty else question.department.name
    reviewed_at = getattr(more_info, "reviewed_at", None)
    reviewer = _reviewer(getattr(more_info, "reviewed_by", None))
    if isinstance(reviewed_at, date) and reviewer is not None:
        # schema.org's lastReviewed is a Date, not a DateTime.
        reviewed_on = timezone.localtime(reviewed_at).date() if isinstance(reviewed_at, datetime) else reviewed_at
        medical["lastReviewed"] = reviewed_on.isoformat()
        medical["reviewedBy"] = reviewer
    return [qa_page, medical]
