"""Match keys: the same key for the many ways citizens type the same words."""

from __future__ import annotations

import pytest

from bot.engine.analyzer import Analyzer, MatchKey
from bot.engine.decision import Doubts, Outcome, decide
from bot.engine.engine import AnswerEngine
from bot.engine.matcher import Candidate
from bot.engine.reading.finglish import latin_skeleton, persian_skeleton
from bot.memory import Memory
from tests.support.engine_checks import assert_ours, assert_theirs


def key(engine: AnswerEngine, text: str) -> MatchKey:
    return engine.analyzer.analyze(text)


@pytest.mark.parametrize(
    "variants",
    [
        [
            "شناسنامه‌ام گم شده",
            "شناسنامه ام گم شده",
            "شناسنامم گم شده",
            "شناسناممو گم کردم",
            "shenasname gom shode",
        ],
        ["کارت ملی", "كارت ملي", "کارتملی", "کارت ملیمو", "kart meli", "karte melli"],
        ["المثنی", "المصنی", "المسنی", "almosana"],
        ["نوبت", "نوبط"],
        ["چطوری", "چجوری", "چطور", "چگونه"],
        ["کد ملی", "codemeli", "کدملی"],
        ["صفحه‌هاش پر شده، شناسنامه‌ام", "صفحه هاش پر شده شناسنامم", "صفحه‌ها پر شده شناسنامه‌ام"],
        ["بچه‌هامون شناسنامه ندارن", "بچه هامون شناسنامه ندارن"],
        ["کارتو گم کردم", "کارت رو گم کردم"],
        ["بچم زیر هجده ساله", "بچم زیر ۱۸ ساله", "بچم زیر هیجده ساله"],  # a number in words is the number
        ["پنجاه هزار تومن", "۵۰ هزار تومن"],
        ["کجا بنویسن", "کجا بنویسند"],  # a spoken verb is read as written
        ["مرخصی نمیدن", "مرخصی نمی‌دهند"],
    ],
)
def test_variants_share_one_key(engine: AnswerEngine, variants: list[str]) -> None:
    keys = {key(engine, variant).tokens for variant in variants}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("چنده", ("هزینه",)),  # cost words unified, kept: they carry intent
        ("فامیلیشو عوض کنم", ("نام", "خانوادگی", "تعویض")),  # synonym map, spoken ending
        ("١٥ سال دارم", ("15", "سال")),  # digits to one alphabet
        ("میخوام", ()),  # function words drop
        ("از برای به با در", ()),
        ("مثل همیشه در سال جاری", ("سال",)),  # hazm's stop words the base does not use
        ("اینا ایرانی حساب میشن", ("ایرانی", "حساب")),  # a spoken verb the matching drops is dropped
        ("سلاممممم", ("سلام",)),
    ],
)
def test_key_words(engine: AnswerEngine, text: str, expected: tuple[str, ...]) -> None:
    assert key(engine, text).tokens == expected


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # forms hazm's word list holds but never saw in use: typos of the base's words
        ("حارج", "خارج"),
        ("تعوض", "تعویض"),
        ("سلاک", "سلام"),
        ("ممنو", "ممنون"),
        ("تجزد", "تجرد"),  # not in the list: one letter off
    ],
)
def test_a_mistyped_letter_is_repaired(engine: AnswerEngine, typed: str, meant: str) -> None:
    assert engine.analyzer.analyze(meant).tokens == engine.analyzer.analyze(typed).tokens != (typed,)


@pytest.mark.parametrize(
    ("typed", "spaced"),
    [
        ("ادارهثبتاحوال", "اداره ثبت احوال"),  # three words
        ("امضایدیجیتال", "امضا دیجیتال"),  # the first with its ezafe
        ("سندتکبرگ", "سند تک برگ"),
    ],
)
def test_words_typed_without_their_spaces_are_split(engine: AnswerEngine, typed: str, spaced: str) -> None:
    assert key(engine, typed).tokens == key(engine, spaced).tokens


@pytest.mark.parametrize("word", ["کلاس", "نگرفته", "هوای", "تیم", "مصرفی", "خنگی"])
def test_real_words_and_their_forms_are_not_turned_into_base_words(engine: AnswerEngine, word: str) -> None:
    repaired = key(engine, word).tokens
    assert repaired in ((word,), ()) or (word == "نگرفته" and "رفته" not in repaired)


def test_a_word_that_shares_a_stem_with_another_service_does_not_name_it(engine: AnswerEngine) -> None:
    # «بیمه» (insurance) once deferred to the stem «بی», so «بیام» (I come) named insurance
    assert not key(engine, "میخوام از خارج بیام ایران شناسنامه بگیرم").foreign
    assert engine.assess("بیمه تکمیلی چطوری فعال میشه").doubts.other_service


@pytest.mark.parametrize(("text", "unknown"), [("یارانه من قطع شده", "یارانه"), ("ثبت نام کنکور", "کنکور")])
def test_words_outside_the_base_are_unknown(engine: AnswerEngine, text: str, unknown: str) -> None:
    analyzed = key(engine, text)
    assert unknown in analyzed.unknown | analyzed.foreign  # another organisation's service counts as strange
    assert engine.matcher.unknown_share(analyzed) > engine.thresholds.max_unknown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sabte fote pedaram", ("ثبت", "وفات", "پدر")),  # ezafe and a possessive glued on
        ("shenasnamamo gom kardam", ("شناسنامه", "گم")),
        ("kartesh", ("کارت",)),
    ],
)
def test_finglish_words_with_endings_are_read(
    engine: AnswerEngine, text: str, expected: tuple[str, ...]
) -> None:
    assert key(engine, text).tokens == expected


def test_unreadable_finglish_stays_an_unknown_word(engine: AnswerEngine) -> None:
    analyzed = key(engine, "xqzw kart")
    assert "xqzw" in analyzed.tokens and "xqzw" in analyzed.unknown


def test_answer_text_is_never_normalized(engine: AnswerEngine) -> None:
    entry = engine.entry("smartcard-register")
    assert entry.links and all(
        link.url.startswith("https://") and " " not in link.url for link in entry.links
    )
    assert "\u200c" in entry.answer  # half-spaces of the curated text survive


@pytest.mark.parametrize(
    ("latin", "persian"),
    [
        ("shenasname", "شناسنامه"),
        ("almosana", "المثنی"),
        ("hooshmand", "هوشمند"),
        ("kart", "کارت"),
        ("tavallod", "تولد"),
        ("sabte ahval", "ثبت احوال"),
        ("bache", "بچه"),  # ch is چ, not ک
        ("chap", "چاپ"),
    ],
)
def test_skeletons_meet(latin: str, persian: str) -> None:
    assert latin_skeleton(latin.replace(" ", "")) == persian_skeleton(persian)


@pytest.mark.parametrize(
    "text",
    [
        "رمز دوم کارت بانکیمو یادم رفته",
        "کارت سوختم گم شده",
        "کارت پایان خدمتم گم شده",
        "یارانه من قطع شده",
        "کارت بانکم رو گم کردم",  # lemmatized to کارت بانک
        "یارانه بچه ها کی میاد",  # few words besides the service: its share alone would not stop it
        "sim karte jadid ba kart melli",
        "kart payan khedmat gom shode",
        "جریمه رانندگیمو از کجا پرداخت کنم؟",
        "اینترنت خونه‌مون قطع شده کی وصل میشه",
        "ثبت شکایت در سامانه تعزیرات",
        "معاینه فنی ماشینم تموم شده، نوبتش رو کجا بگیرم؟",
        "پرونده پزشکی پدرم رو از بیمارستان چطوری بگیرم",
        "از همسایه‌ام شکایت دارم",
        "شکایت از پزشک کجا ثبت میشه",
        "میخوام تو لاتاری گرین کارت آمریکا شرکت کنم، مدارکش چیه؟",
        # names written blind in session 10 (each checked against the in-scope questions)
        "کارت ماشینم گم شده، المثنی کارت ماشین از کجا بگیرم؟",
        "نامه رو با پست پیشتاز فرستادم نرسیده، کجا پیگیری کنم؟",
    ],
)
def test_other_services_are_never_answered_directly(engine: AnswerEngine, text: str) -> None:
    analyzed = key(engine, text)
    assert analyzed.foreign
    assert_theirs(engine, text)


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [
        ("ثبت شرکت", "redirect-property"),
        ("استعلام خلافی خودرو", "redirect-driving"),
        ("sabte sherkat chejori", "redirect-property"),
        ("estelam check sayadi ba code melli", "national-code"),
    ],
)
def test_a_service_beside_a_pointer_s_scope_is_offered_not_answered(
    engine: AnswerEngine, text: str, entry_id: str
) -> None:
    """Company registration and car fines are other organisations' services the pointers do not
    cover (deeds, the driving licence): the pointer may be offered, never answered."""
    assert engine.assess(text).doubts.other_service
    reply = engine.ask(text)
    assert reply.answer_id is None
    assert entry_id in reply.offered_ids


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [
        ("تمدید گواهینامه رانندگی کجاست", "redirect-driving"),
        ("سند تک برگ خونه رو از کجا بگیرم", "redirect-property"),
    ],
)
def test_a_pointer_answers_its_own_scope(engine: AnswerEngine, text: str, entry_id: str) -> None:
    assert engine.ask(text).answer_id == entry_id


@pytest.mark.parametrize("text", ["سلام", "درود", "salam"])
def test_a_greeting_is_answered_though_long_phrasings_start_with_one(engine: AnswerEngine, text: str) -> None:
    assert engine.ask(text).answer_id == "greeting"


@pytest.mark.parametrize("text", ["شناسنامه", "کارت ملی", "ثبت"])
def test_a_vague_question_gets_choices(engine: AnswerEngine, text: str) -> None:
    reply = engine.ask(text)
    assert reply.outcome is Outcome.DID_YOU_MEAN
    assert len(reply.offered_ids) >= 2


def test_the_other_service_rule_holds_whatever_the_scores(engine: AnswerEngine) -> None:
    ranked = engine.rank("کارت ملی هوشمندم گم شده")[1]
    assert decide(ranked, engine.thresholds, Doubts()).outcome is Outcome.ANSWER
    assert decide(ranked, engine.thresholds, Doubts(other_service=True)).outcome is Outcome.DID_YOU_MEAN


def test_context_words_do_not_block_a_civil_registration_answer(engine: AnswerEngine) -> None:
    """School or university as the reason for the question is not another organisation's service."""
    for text in (
        "برای ثبت نام مدرسه پسرم کد ملی لازمه کد ملیشو از کجا بگیرم",
        "شناسنامه المثنی برای دانشگاه",
    ):
        assert not key(engine, text).foreign


def test_a_service_word_inside_another_phrase_is_not_foreign(engine: AnswerEngine) -> None:
    assert not key(engine, "خدمات الکترونیک ثبت احوال").foreign


@pytest.mark.parametrize(
    ("found", "lost"),
    [
        ("یه کارت ملی پیدا کردم", "کارت ملیمو پیدا نکردم"),
        ("شناسنامه‌ای پیدا کرده‌ام", "شناسنامه‌ام را پیدا نمی‌کنم"),
    ],
)
def test_a_negated_verb_keeps_its_negation(engine: AnswerEngine, found: str, lost: str) -> None:
    """hazm gives «نکردم» the lemma of «کردم»: found must not read as lost."""
    assert "گم" not in key(engine, found).tokens
    assert "گم" in key(engine, lost).tokens
    assert engine.ask(found).answer_id == "found-document"
    assert engine.ask(lost).answer_id in {"smartcard-lost", "birthcert-duplicate"}


@pytest.mark.parametrize("text", ["فامیلیمو میخوام عوض کنم", "mikham familimo avaz konam"])
def test_a_spoken_surname_with_its_object_ending_is_the_surname(engine: AnswerEngine, text: str) -> None:
    # «فامیلیمو» stood as written in a name-change phrasing («... نه فامیلیمو»), so it was a known
    # word of its own, never the surname, and the first name's entry drew level
    assert "خانوادگی" in key(engine, text).tokens
    assert engine.ask(text).answer_id == "surname-change"


def test_a_year_in_digits_is_the_word_year(engine: AnswerEngine) -> None:
    # «۱۳۶۵» and «۱۳۶۶» said nothing to the match; «سال» is what the phrasings of a date to correct say
    tokens = key(engine, "تو شناسنامه‌ام ۱۳۶۵ نوشتن ولی ۱۳۶۶ به دنیا اومدم").tokens
    assert tokens.count("سال") == 2 and not any(token.isdigit() for token in tokens)
    assert "15" in key(engine, "پسرم 15 سالشه").tokens  # an age stays a number


@pytest.mark.parametrize("text", ["ثبت احوال خیابون ۱۷ شهریوره؟", "۵ آذر رفتم", "یکشنبه بازه؟"])
def test_a_month_or_weekday_name_is_a_known_date_word(engine: AnswerEngine, text: str) -> None:
    # «شهریور» was repaired into «شهریه», tuition: another service's name, so no answer
    found = key(engine, text)
    assert not found.unknown and not found.foreign


@pytest.mark.parametrize(("text", "word"), [("مدارک کارت ملی هشمند چیه", "هوشمند")])
def test_a_typo_the_lemmatizer_reads_as_a_verb_is_repaired_as_written(
    engine: AnswerEngine, text: str, word: str
) -> None:
    # «هشمند» was lemmatized to «هشم» (+ «ند»), a word no repair could take back to «هوشمند»
    assert word in key(engine, text).tokens


@pytest.mark.parametrize(("text", "word"), [("گواهی سلامت", "سلامت"), ("داروی بچه", "دارو")])
def test_a_real_word_is_not_cut_as_if_it_had_a_spoken_ending(
    engine: AnswerEngine, text: str, word: str
) -> None:
    # «سلامت» (health) was read as «سلام» (hello) + «ت» (your), «دارو» as «دار» + «و»
    assert word in key(engine, text).tokens


@pytest.mark.parametrize(("typed", "meant"), [("رباط", "ربات"), ("اهوال", "احوال")])
def test_a_real_word_that_sounds_like_a_base_word_is_read_as_it(
    engine: AnswerEngine, typed: str, meant: str
) -> None:
    assert key(engine, typed).tokens == (meant,)


@pytest.mark.parametrize("word", ["آزمایش", "آینده", "مسئول"])
def test_a_real_word_written_with_madda_or_hamza_is_not_cut_into_base_words(
    engine: AnswerEngine, word: str
) -> None:
    # the normalizer folds «آ» and «ئ», hazm's word list keeps them: «آزمایش» was cut into «ازم» + «ای»
    assert len(key(engine, word).tokens) == 1


def test_a_real_word_the_base_does_not_use_stays_unknown(engine: AnswerEngine) -> None:
    # «سراسری» (the national exam) must not be repaired into some word of the base
    analyzed = key(engine, "برای ثبت‌نام آزمون سراسری چه مدارکی لازم است؟")
    assert analyzed.unknown | analyzed.foreign  # strange: not a base word (and another office's exam)
    assert engine.ask("برای ثبت‌نام آزمون سراسری چه مدارکی لازم است؟").outcome is not Outcome.ANSWER


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("💍 تو شناسنامه کی ثبت میشه؟", "marriage-record"),
        ("💔 تو شناسنامه کی ثبت میشه؟", "divorce-record"),
        ("👶 مدارکش چیه؟", "birth-registration"),
        ("⚰️ پدرم، کجا ثبت کنیم؟", "death-registration"),  # with the picture's variation selector
    ],
)
def test_an_emoji_that_says_a_word_is_read_as_that_word(
    engine: AnswerEngine, question: str, entry_id: str
) -> None:
    assert engine.ask(question).answer_id == entry_id


def test_a_place_name_says_nothing_of_the_matter_and_is_never_a_repair(engine: AnswerEngine) -> None:
    # «دلفان» was an unknown word that held the office question from an answer
    assert key(engine, "اداره ثبت احوال دلفان کجاست").tokens == key(engine, "اداره ثبت احوال کجاست").tokens
    # a place is no repair target: «دندون» was read as the village «ندوشن» and dropped with it
    assert "دندون" in key(engine, "دندون‌درد").unknown


def test_only_the_whole_thanks_phrase_is_thanks(engine: AnswerEngine) -> None:
    assert engine.ask("دستت درد نکنه").answer_id == "thanks"
    assert engine.ask("دندون‌درد").answer_id != "thanks"


def test_tiredness_is_no_greeting_but_khaste_nabashid_is(engine: AnswerEngine) -> None:
    # «خسته نباشید» greets; «خسته‌ام» tells how one feels and was answered with the greeting
    assert engine.ask("سلام خسته نباشید").answer_id == "greeting"
    assert engine.ask("خسته‌ام").answer_id != "greeting"


@pytest.mark.parametrize("text", ["💍❤️", "🎂🎉", "💔"])
def test_a_message_of_pictures_only_is_never_answered(engine: AnswerEngine, text: str) -> None:
    # a wish or a mood: «💍❤️» was answered with the marriage record
    # (with words beside it the picture still says its word: test_an_emoji_that_says_a_word_...)
    assert not engine.ask(text).outcome.answers


@pytest.mark.parametrize("text", ["فرزند ما هفته گذشته به دنیا آمده است. مهلت ثبت ولادت او چند روز است؟"])
def test_a_past_time_unit_is_not_a_deadline_passed(engine: AnswerEngine, text: str) -> None:
    # «هفته گذشته» is last week: its «گذشته» drew the late registration's «مهلتش گذشته» level
    assert "گذشته" not in key(engine, text).tokens
    assert engine.ask(text).answer_id == "birth-registration"


@pytest.mark.parametrize("text", ["بچمون شناسنامه نداره", "بچه‌مون شناسنامه نداره", "بچه‌هامون شناسنامه نداره"])
def test_a_spoken_child_with_its_ending_is_the_child(engine: AnswerEngine, text: str) -> None:
    # «بچمون» stood as written (a phrasing used it once), «بچه‌مون» left its ending «مون» as a word
    assert key(engine, text).tokens == key(engine, "بچه شناسنامه نداره").tokens


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("یه نفر کیفشو اینجا جا گذاشته", "گذشته"),  # left behind, not «passed»
        ("بعد از جداییم شناسنامه‌ام رو نگاه کردم", "جد"),  # the separation, not the grandfather
        ("این‌جانب کارت ملی‌ام را گم کرده‌ام", "جانب"),
        ("اصلا نمیدونم اسم بچه رو چطوری عوض کنیم", "اصلاح"),  # «at all», not «correction»
        ("دوستم گفت کارت ملی خیلی گرون شده", "گروه"),  # expensive, not «group»
        ("بابام میدونه کارت ملیم کجاست", "نمیدونه"),  # knows, never «does not know»
    ],
)
def test_a_real_word_is_not_repaired_into_another(engine: AnswerEngine, text: str, wrong: str) -> None:
    assert wrong not in key(engine, text).tokens


def test_a_word_only_one_story_phrasing_uses_stays_unknown(base_analyzer: Analyzer) -> None:
    # a story phrasing's context («پتروشیمی») must not make a near miss's words known: the question
    # «استخدام تو پتروشیمی» is as strange as before the story was written
    short = "کارت ملی هوشمندم گم شده"
    story = (
        "سلام من تو پتروشیمی کار میکنم و دیروز تو سرویس کیفم رو جا گذاشتم و کارت ملی هوشمندم توش بود "
        "حالا برای گرفتن کارت جدید باید چیکار کنم"
    )
    once = base_analyzer.with_vocabulary([short, story])
    assert "پتروشیمی" in once.analyze("استخدام تو پتروشیمی").unknown
    assert "کارت" not in once.analyze("کارت پتروشیمی").unknown
    other = story.replace("دیروز", "پریروز")
    twice = base_analyzer.with_vocabulary([short, story, other])  # two stories: a word of the base
    assert "پتروشیمی" not in twice.analyze("استخدام تو پتروشیمی").unknown


def test_between_two_close_entries_of_a_story_what_is_asked_decides(engine: AnswerEngine) -> None:
    ranked = [Candidate("birth-registration", 0.48, ""), Candidate("birth-late", 0.45, "")]
    story = Doubts(story=True)
    assert decide(ranked, engine.thresholds, story).outcome is Outcome.DID_YOU_MEAN  # too close
    led = Doubts(story=True, asked_leader="birth-registration")
    assert decide(ranked, engine.thresholds, led).outcome is Outcome.ANSWER_ALTERNATIVES
    other = Doubts(story=True, asked_leader="birth-late")  # the asking clause leans the other way
    assert decide(ranked, engine.thresholds, other).outcome is Outcome.DID_YOU_MEAN


@pytest.mark.parametrize(("text", "word"), [("معنی زندگی چیه؟", "معنی"), ("یه شعر از حافظ بخون", "بخون")])
def test_a_plain_word_is_never_repaired(engine: AnswerEngine, text: str, word: str) -> None:
    # «معنی» was repaired to «مثنی» (of «المثنی»), «بخون» to «بدون»: a near miss then looked like the base's
    analyzed = key(engine, text)
    assert word in analyzed.tokens and word in analyzed.unknown


def test_a_word_known_only_from_another_service_s_name_is_unknown_alone(engine: AnswerEngine) -> None:
    # «ثالث» is listed only inside «شخص ثالث»: alone it is as strange as before it was listed
    assert "ثالث" in key(engine, "ثالث یعنی چی").unknown
    named = key(engine, "بیمه شخص ثالث ماشین رو کجا تمدید کنم")
    assert "ثالث" in named.foreign and "ثالث" not in named.unknown
    assert "کارت" not in key(engine, "کارت ملی").unknown  # a word of the base as well


def test_an_unknown_word_is_not_cut_into_scraps_of_function_words(engine: AnswerEngine) -> None:
    # «توکن» was cut into «تو» + «کن» and vanished with the function words
    assert "توکن" in key(engine, "توکن امضای دیجیتال بانک رو چطوری فعال کنم؟").unknown
    assert "بایدکرد" not in key(engine, "شناسنامه ام مفقود شده چیکار بایدکرد").tokens  # «باید کرد»


def test_asking_the_bot_for_a_suggestion_is_not_a_suggestion_to_the_office(engine: AnswerEngine) -> None:
    assert engine.ask("میخوام برای تولد بابام یه کادوی خوب بخرم. چی پیشنهاد میدی؟").answer_id is None
    assert engine.ask("میخواهم به ثبت احوال پیشنهاد بدهم کجا بنویسم").answer_id == "complaint"


def test_a_theft_report_is_the_police_s_and_a_theft_alone_a_loss(engine: AnswerEngine) -> None:
    assert engine.ask("گوشیمو دزدیدن، گزارش سرقت کجا بدم؟").answer_id is None
    assert engine.ask("کارت ملیم سرقت شده، چیکار کنم؟").answer_id == "smartcard-lost"


def test_guardianship_is_not_a_price(engine: AnswerEngine) -> None:
    # «قیمومت» was repaired to «قیمت», read as «هزینه»
    assert "هزینه" not in key(engine, "حکم قیمومت بچه‌ها رو از کجا بگیرم").tokens


@pytest.mark.parametrize(
    "text", ["بدون مراجعه به اداره، کارای ثبت احوال رو اینترنتی میشه انجام داد؟", "رفتم اداره. کار ثبت نشد"]
)
def test_another_service_s_name_never_runs_across_punctuation(engine: AnswerEngine, text: str) -> None:
    # «اداره» + «کار» on either side of a comma or a full stop is not «اداره کار», the labour office
    assert not key(engine, text).foreign
    assert not engine.assess(text).key.foreign
    assert key(engine, "اداره کار شکایت آنلاین داره؟").foreign


def test_a_gift_of_organs_is_not_an_office(engine: AnswerEngine) -> None:
    # «اهدای» was repaired to «اداری»: a donor card then read as an office's matter
    analyzed = key(engine, "کارت اهدای عضو با کد ملی آنلاین میشه گرفت؟")
    assert "اداری" not in analyzed.tokens
    assert engine.ask("کارت اهدای عضو با کد ملی آنلاین میشه گرفت؟").answer_id is None


@pytest.mark.parametrize("text", ["💸💸", "؟؟", ""])
def test_a_clause_with_no_words_points_at_nothing(engine: AnswerEngine, text: str) -> None:
    # a clause of emoji alone («کارت ملی چند تومنه الان؟؟ 💸💸») raised in the pairing of zip
    assert not engine.analyzer.points_back(text)


def test_a_service_named_as_the_reason_does_not_hide_a_matter_named_in_full(engine: AnswerEngine) -> None:
    # the subsidy form is why the citizen needs the serial; the serial is what is asked, named in full
    story = (
        "سلام برای ثبت نام یارانه یه فرم پر میکنم که سری و سریال شناسنامه میخواد. "
        "شناسنامه من مدل جدیده و نمیدونم کجاش نوشته. میشه راهنمایی کنید؟"
    )
    assert_ours(engine, story, "birthcert-serial")
    # another organisation's smart card shares the words «کارت هوشمند» only: still theirs
    assert engine.assess("کارت هوشمند ناوگان برای کامیونم چطوری بگیرم؟").doubts.other_service


def test_a_quoted_name_says_nothing_of_the_topic(engine: AnswerEngine) -> None:
    # «غلامرضا» was an unknown word that weighed the most and kept the name change from an answer
    quoted = key(engine, "اسم من تو شناسنامه «غلامرضا» ثبت شده، میخوام عوضش کنم")
    assert "غلامرضا" not in quoted.tokens and not quoted.unknown
    assert key(engine, "کارتم «در حال صدور» مونده").tokens.count("صدور") == 1  # a quoted phrase stays


def test_remembered_tokens_read_as_fresh_ones(engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token's words are remembered per analyzer (a speed-up only): the keys are the same read
    fresh or remembered, and the memory starts over when full."""
    analyzer = engine.analyzer
    texts = ["شناسنامه‌ام گم شده", "kart meli", "پیدا نکردم کارتمو", "کارت ملیمو گم کردم", "ثبتنام"]
    remembered = [analyzer.analyze(text) for text in texts * 2]
    monkeypatch.setattr(analyzer, "_token_words", Memory(3))
    fresh = [analyzer.analyze(text) for text in texts * 2]
    assert fresh == remembered
    assert 0 < len(analyzer._token_words) <= 3


@pytest.mark.parametrize(
    "text", ["ربات خنگ", "ربات بی‌مصرفی هستی", "دلم گرفته، باهام حرف میزنی؟", "یه جوک بگو"]
)
def test_a_remark_to_the_bot_is_never_answered_directly(engine: AnswerEngine, text: str) -> None:
    # an insult took the bot's introduction, a mood the way to reach a person
    assert_theirs(engine, text)


def test_a_remark_word_is_no_repair_target(engine: AnswerEngine) -> None:
    # «خونگی» (at home) is one letter from the remark «خنگی»: repaired into it, a home birth was doubted
    key = engine.analyzer.analyze("زایمان خونگی بوده، ثبت ولادتش چطوریه")
    assert not key.foreign, key
    assert_ours(engine, "تو کی هستی؟ ربات ثبت احوالی؟", "bot-identity")


@pytest.mark.parametrize(("typed", "meant"), [("عوص", "عوض"), ("رمر", "رمز"), ("کحا", "کجا")])
def test_a_three_letter_word_with_the_dots_of_one_letter_slipped_is_repaired(
    engine: AnswerEngine, typed: str, meant: str
) -> None:
    assert key(engine, typed).tokens == key(engine, meant).tokens


def test_a_three_letter_word_is_not_repaired_into_a_word_of_another_shape(engine: AnswerEngine) -> None:
    # «بخر» is one letter from «بار», but «خ» and «ا» are no slip of the dots
    assert key(engine, "بخر").tokens != key(engine, "بار").tokens


def test_a_word_hazm_never_saw_is_repaired_not_read_as_its_lemmatizer_s_guess(engine: AnswerEngine) -> None:
    # the lemmatizer read «پیگری» (پیگیری with a letter lost) as «پی»: the word as written is repaired
    assert "پیگیری" in key(engine, "پیگری درخواستم").tokens
    assert key(engine, "سراسری").tokens == ("سراسر",)  # a real word's lemma is still its reading


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("آبجیم", "خواهرم"),
        ("داداشم", "برادرم"),
        ("میخام کارت ملی بگیرم", "میخوام کارت ملی بگیرم"),
        ("هنو", "هنوز"),
    ],
)
def test_spoken_words_the_lemmatizer_misreads_are_read_as_meant(
    engine: AnswerEngine, typed: str, meant: str
) -> None:
    # hazm reads «داداش» as «داد», «آبجی» as «اب» + «جی», «میخام» as «میخ» (a nail)
    assert key(engine, typed).tokens == key(engine, meant).tokens
