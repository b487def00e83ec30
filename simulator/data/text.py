"""Names and message texts: realistic, multilingual, with emoji and awkward characters."""

from __future__ import annotations

from random import Random

GIVEN_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofía", "José", "Zoë", "Chloé",
    "Łukasz", "Søren", "Ayşe", "Nguyễn", "Aroha", "Siobhán", "Björn", "Renée", "Chidi",
    "Priya", "Mei", "Hiroshi", "Fatima", "Oluwaseun", "D'Andre", "Mary-Kate", "Ana Lucía",
    "Jürgen", "Élodie", "Ngozi", "Анна", "Дмитрий", "李", "أحمد", "Ευάγγελος", "Kai",
)
FAMILY_NAMES = (
    "Smith", "Johnson", "García", "Müller", "O'Brien", "Nguyen", "Kowalczyk", "Åberg",
    "Okafor", "Dubois", "Rossi", "Yamamoto", "Chen", "Patel", "Fernández", "Van der Berg",
    "Øster", "Çelik", "Ó Súilleabháin", "Hernández-López", "St. John", "Иванова", "王",
    "Nakamura", "Kim", "Abadi", "Ramírez", "Lefèvre", "MacDonald", "Schröder",
)
MIDDLE_NAMES = ("Ann", "James", "Marie", "Lee", "José", "Grace", "Élise", "Ray")
PRONOUNS = ("she/her", "he/him", "they/them", "she/they", "he/they")
GENDER_DETAILS = ("Non-binary", "Genderfluid", "Two-spirit", "Prefer to self-describe")
COMPANIES = (
    "Walgreens #4471", "CVS Pharmacy", "Northside Imaging Center", "Evergreen Physical Therapy",
    "Lakeview Dermatology", "Quest Diagnostics", "St. Mary's Hospital – Records Dept.",
    "Pacific Cardiology Associates", "Bright Smiles Dental 🦷", "Community Labs & Testing",
)
PROFESSIONAL_TITLES = ("MD", "DO", "NP", "PA-C", "RN", "DPT", "PharmD")

PATIENT_MESSAGES = (
    "Hi, I'd like to reschedule my appointment on Thursday 🙏",
    "Can I get a refill on my lisinopril? Pharmacy is CVS on 5th.",
    "My fever is down to 99.1°F today, thanks for checking in!",
    "Is the clinic open on the holiday Monday?",
    "Thank you so much Dr. {name}! 😊",
    "I uploaded the photo of the rash, it looks worse than yesterday 😟",
    "¿Puedo hablar con alguien en español?",
    "The lab said my results were sent over — did you get them?",
    "Running 10 min late, sorry!! 🚗💨",
    "Ok 👍",
    "Could you send the form again? The link expired.",
    "My insurance changed, new member ID is on the card I'm attaching.",
    "Merci beaucoup, à bientôt !",
    "Is it normal to feel dizzy after the new dose?",
    "Yes, 3pm works ✅",
)
TEAM_MESSAGES = (
    "Your appointment is confirmed for {day} at 10:30 AM. Reply C to confirm.",
    "Hi {name}, your lab results are ready. Please log in to review them.",
    "We sent your prescription to the pharmacy on file 💊",
    "Please arrive 15 minutes early to complete paperwork.",
    "Reminder: fasting is required before tomorrow's blood draw.",
    "Thanks for reaching out! A nurse will call you back today.",
    "Here is the intake form: please complete it before your visit.",
    "Your referral to cardiology has been sent ✔️",
    "We're closed for the holiday; for emergencies call 911.",
)
NOTE_MESSAGES = (
    "Called pt, left VM re: labs.",
    "@{name} can you review the med list before signing?",
    "Prior auth submitted, ref #A-{number}.",
    "Pt prefers text over calls. Spanish speaker — use interpreter line.",
    "Insurance verified ✅ copay $25.",
    "Flagging for follow-up in 2 weeks.",
)
CONVERSATION_TITLES = {
    "phone": "{name}",
    "secure": "{name}",
    "email": "Re: {subject}",
    "fax": "Fax from {company}",
    "team": "{team} huddle",
    "note": "Notes: {subject}",
    "other": "{subject}",
}
SUBJECTS = (
    "Lab results", "Prescription refill", "Appointment request", "Billing question",
    "Referral", "Prior authorization", "Records request", "Vaccination record 💉",
    "Post-op follow-up", "Insurance update",
)
TAG_VALUES = (
    "VIP", "New patient", "Spanish 🇪🇸", "Diabetes", "Pediatrics", "Medicare",
    "Needs follow-up", "Billing", "Telehealth", "Do not text", "Referral", "Hypertension",
    "Prenatal 🤰", "Post-op", "Allergy", "Research study",
)
FIELD_NAMES = (
    "Preferred Pharmacy", "Insurance Member ID", "Primary Care Provider", "Emergency Contact",
    "Preferred Language", "Medical Record Number", "Referring Provider", "Allergies",
    "Interpreter Needed", "Portal Username",
)
FIELD_VALUES = (
    "CVS #2213", "W123-456-789", "Dr. Priya Patel", "Ana García (555) 201-4477", "Español",
    "MRN-0048213", "Dr. Kim", "Penicillin ⚠️", "Yes", "olivia.s",
)
TEAM_NAMES = ("Front Desk", "Nursing", "Billing Team", "Care Coordination", "Providers",
              "Referrals", "Lab", "After Hours")
PHONE_LINE_NAMES = ("Main Line", "Desk 101", "Nurse Line", "Billing", "Fax Line",
                    "After Hours", "Dr. Chen Direct", "Front Desk 2")
SAVED_MESSAGE_TITLES = ("Appointment reminder", "Lab results ready", "Refill sent",
                        "Directions to clinic", "Holiday hours", "Intake form")


def person_name(rng: Random) -> tuple[str, str]:
    """A (given, family) name pair."""
    return rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)


def message_text(rng: Random, pool: tuple[str, ...]) -> str:
    """One message from ``pool`` with its placeholders filled in."""
    template = pool[int(rng.random() * len(pool))]
    if "{" not in template:
        return template
    return template.format(
        name=rng.choice(GIVEN_NAMES),
        day=rng.choice(("Monday", "Tuesday", "Friday")),
        number=rng.randrange(10_000, 99_999),
    )


def ascii_slug(text: str) -> str:
    """A lower-case ASCII slug of ``text`` (for e-mail addresses and usernames)."""
    slug = "".join(char for char in text.lower() if char.isascii() and char.isalnum())
    return slug or "patient"
