"""How a question is signed, in the active language."""

from django import template
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from questions.models import AgeBand, Question, Sex
from search.text import mostly_chinese

register = template.Library()


def asker_description(question: Question) -> str:
    """The age band and sex as one phrase ("40~49 year old female", "40~49歲女性"), empty when unknown.

    Whole phrases are translated rather than "{age} year old" with the band pasted in, because the open
    band ("80 and over") and an undisclosed sex do not fit that pattern in either language.
    """
    sex = "" if question.sex == Sex.UNDISCLOSED else question.get_sex_display()
    if not question.age_band:
        return sex
    if question.age_band == AgeBand.AGE_80_PLUS:
        if sex:
            return _("%(sex)s aged 80 or over") % {"sex": sex}
        return _("aged 80 or over")
    age = question.get_age_band_display()
    if sex:
        return _("%(age)s year old %(sex)s") % {"age": age, "sex": sex}
    return _("%(age)s years old") % {"age": age}


@register.simple_tag
def asker_signature(question: Question) -> str:
    """The asker's line under a question ("Xiao Rong, 40~49 year old female. Ask Date: 2008/08/07").

    The date is in the active language's SHORT_DATE_FORMAT (config/formats).
    """
    date = formats.date_format(timezone.localtime(question.created_at), "SHORT_DATE_FORMAT")
    description = asker_description(question)
    if description:
        return _("%(pseudonym)s, %(description)s. Ask Date: %(date)s") % {
            "pseudonym": question.pseudonym,
            "description": description,
            "date": date,
        }
    return _("%(pseudonym)s. Ask Date: %(date)s") % {"pseudonym": question.pseudonym, "date": date}


@register.filter
def excerpt(text: str, words: int) -> str:
    """The first `words` words of a text, for lists. Chinese has no spaces between words, so there it is
    the first 2 * `words` characters (most Chinese words are one or two characters)."""
    if mostly_chinese(text):
        return Truncator(text).chars(2 * words)
    return Truncator(text).words(words)
