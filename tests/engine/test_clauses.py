"""Long and two-part questions: clauses, courtesy, the asking clause, the parts."""

from __future__ import annotations

import pytest

from bot.engine.clauses import split_clauses
from bot.engine.engine import AnswerEngine, _may_pair
from tests.support.engine_checks import assert_ours, assert_theirs


def test_clauses_split_on_punctuation_and_connectives() -> None:
    clauses = split_clauses("دیروز کیفم رو زدن. کارت ملیم توش بود ولی برای کارت ملی چیکار کنم؟").clauses
    assert [c.text for c in clauses] == [
        "دیروز کیفم رو زدن",
        "کارت ملیم توش بود",
        "ولی برای کارت ملی چیکار کنم",
    ]
    assert [c.asks for c in clauses] == [False, False, True]


@pytest.mark.parametrize(
    "text",
    [
        "سلام وقت بخیر، ببخشید شناسنامه‌ام گم شده ممنون میشم راهنمایی کنید",
        "با سلام. شناسنامه‌ام گم شده. با تشکر",
    ],
)
def test_courtesy_is_dropped(text: str) -> None:
    assert split_clauses(text).content == "شناسنامه‌ام گم شده"


def test_a_message_of_courtesy_alone_keeps_it(engine: AnswerEngine) -> None:
    assert split_clauses("سلام وقت بخیر").content == "سلام وقت بخیر"
    assert engine.ask("سلام وقت بخیر").answer_id == "greeting"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "سلام وقتتون بخیر. ببخشید مزاحم میشم، شناسنامه‌ام گم شده، ممنون میشم راهنمایی کنید",
            "birthcert-duplicate",
        ),
        (
            "پسرم هفته پیش به دنیا اومد و همه کارهای بیمارستان رو انجام دادیم، ولی هنوز براش شناسنامه"
            " نگرفتیم. حالا سوالم اینه که برای گرفتن شناسنامه نوزاد چه مدارکی لازمه؟",
            "birth-registration",
        ),
    ],
)
def test_a_story_before_the_question_does_not_hide_it(
    engine: AnswerEngine, question: str, expected: str
) -> None:
    reply = engine.ask(question)
    assert reply.outcome.answers and reply.answer_id == expected, reply


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("کارت ملیم گم شده، شناسنامه‌ام هم پاره شده", ["smartcard-lost", "birthcert-replace"]),
        ("شناسنامه‌ام گم شده. در ضمن کد ملی بچه‌ام رو از کجا بفهمم؟", ["birthcert-duplicate", "national-code"]),
        # «راستی» turns to a second matter; the second clause's unknown word («مال») does not undo it
        (
            "یه کارشناس میخوام که باهاش حرف بزنم. راستی این ربات مال کدوم اداره‌ست؟",
            ["human-agent", "bot-identity"],
        ),
        # «ـشم»: «هم» glued to «ـش» (its signature too)
        (
            "رمز کارت ملیم یادم نیست. امضای دیجیتالشم چجوری فعال میشه؟",
            ["smartcard-pin", "smartcard-signature"],
        ),
        # a question, then what the citizen wants: two parts, the first asked answered first
        (
            "شناسنامه نوزاد رو کجا بگیرم؟ میخوام براش اسم انتخاب کنم ولی نمیدونم چه اسمایی مجازه",
            ["birth-registration", "baby-name"],
        ),
        (
            "نرخ خدمات ثبت احوال رو کجا ببینم؟ دفتر پیشخوان ازم پول زیادی گرفت میخوام شکایت کنم",
            ["fees", "complaint"],
        ),
    ],
)
def test_two_part_questions_answer_the_first_and_report_both(
    engine: AnswerEngine, question: str, parts: list[str]
) -> None:
    reply = engine.ask(question)
    assert reply.parts == parts
    assert reply.answer_id == parts[0] and reply.alternatives[0] == parts[1]


@pytest.mark.parametrize(
    "question",
    ["کارت ملی هوشمندم گم شده چیکار کنم؟", "برای ثبت ولادت نوزاد چه مدارکی لازمه؟ چقدر طول میکشه؟"],
)
def test_one_matter_is_not_two_parts(engine: AnswerEngine, question: str) -> None:
    assert engine.ask(question).parts == []


def test_a_story_that_names_another_service_in_its_context_is_answered(engine: AnswerEngine) -> None:
    story = (
        "برای گرفتن وام ازدواج از بانک رفتیم و گفتن سند ازدواج ما تو سامانه ثبت احوال ثبت نشده، "
        "پدرم میگه باید بریم اداره ثبت احوال. واقعه ازدواج رو چطوری ثبت کنیم؟"
    )
    assessment = engine.assess(story)
    assert "وام" in assessment.key.foreign  # a loan: a bank's service
    assert not assessment.doubts.other_service
    assert engine.ask(story).answer_id == "marriage-record"


@pytest.mark.parametrize(
    "question",
    [
        "کارت سوختم گم شده، جدیدشو چطوری بگیرم؟",  # short: the named service is what it asks about
        "دیروز رفتم بانک که وام بگیرم، کارمند بانک گفت باید صبر کنی. وام بانک کی واریز میشه؟",
    ],
)
def test_another_service_named_in_a_short_question_or_the_asking_clause_still_blocks(
    engine: AnswerEngine, question: str
) -> None:
    assert engine.ask(question).answer_id is None


@pytest.mark.parametrize(
    ("word", "also"), [("دیجیتالشم", True), ("شناسنامه‌شم", True), ("میشم", False), ("بشم", False)]
)
def test_a_glued_also_is_told_from_a_verb(word: str, also: bool) -> None:
    assert split_clauses(f"کارت ملی {word}").clauses[-1].also is also


@pytest.fixture
def ranked(engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts of the keys the engine's matcher ranks, in order, from now on in the test."""
    texts: list[str] = []
    rank = engine.matcher.rank
    monkeypatch.setattr(
        engine.matcher,
        "rank",
        lambda key, *args, **kwargs: texts.append(key.text) or rank(key, *args, **kwargs),
    )
    return texts


def test_a_message_whose_key_is_its_contents_is_ranked_once(engine: AnswerEngine, ranked: list[str]) -> None:
    engine.assess("کارت ملیم گم شده؟")  # the «؟» is not in the content, nor in the key
    assert len(ranked) == 1
    ranked.clear()
    engine.assess("سلام، کارت ملیم گم شده")  # the courtesy is in the whole's key: both count
    assert len(ranked) == 2


def test_a_story_is_not_analyzed_whole_when_its_content_says_something(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyzed: list[str] = []
    analyze = engine.analyzer.analyze
    monkeypatch.setattr(engine.analyzer, "analyze", lambda text: analyzed.append(text) or analyze(text))
    story = "سلام، دیروز کیفم رو زدن. حالا برای کارت ملی چیکار کنم؟"
    engine.assess(story)
    assert story not in analyzed and split_clauses(story).content in analyzed


def test_clauses_that_cannot_ask_two_things_together_are_not_ranked_alone(
    engine: AnswerEngine, ranked: list[str]
) -> None:
    # one asking clause, no «هم»: a story and its question, never two questions
    assessment = engine.assess("دیروز کیفم رو زدن. کارت ملیم توش بود. حالا برای کارت ملی چیکار کنم؟")
    assert assessment.parts is None and len(ranked) == 1  # the message's content only


def test_a_thin_asking_clause_asks_about_the_clause_before_it(engine: AnswerEngine) -> None:
    # the other organisation's service is in the clause the short question leans on, not in the story
    story = (
        "هفته پیش پسرم به دنیا اومد و براش شناسنامه هم گرفتیم. حالا میخوام یارانه‌شو هم بگیرم. "
        "از کجا باید ثبتش کنم؟"
    )
    assert_theirs(engine, story)


@pytest.mark.parametrize(
    "question",
    [
        "سلام، پدرم کارت پایان خدمتش رو تو اسباب‌کشی گم کرده و خیلی نگرانه. المثنی اون رو از کجا باید بگیره؟",
        "با سلام، تازه عقد کردیم و می‌خواهیم برای وام ازدواج اقدام کنیم. مدارک لازم برای ثبت‌نامش چیست؟",
        # thin once its question word is set aside: it asks about the clause before it
        "من تازه یه کافه کوچیک باز کردم و گفتن باید پرونده مالیاتی تشکیل بدم. کجا ثبت نام کنم؟",
    ],
)
def test_an_asking_clause_that_points_back_asks_about_the_service_named_before_it(
    engine: AnswerEngine, question: str
) -> None:
    assert_theirs(engine, question)


def test_a_clause_that_points_at_a_person_does_not_take_in_the_story_before_it(engine: AnswerEngine) -> None:
    story = (
        "مادربزرگم هیچ‌وقت شناسنامه نداشته و حالا برای بیمه و یارانه گیر کرده. چطوری میشه براش شناسنامه گرفت؟"
    )
    assert not engine.assess(story).doubts.other_service  # «براش»: for her, not it
    assert engine.ask(story).answer_id == "birth-late"


@pytest.mark.parametrize(
    "message",
    [
        "کارت ملیم گم شده. یه سوال دیگه، شناسنامه بچمو کجا بگیرم؟",
        "کارت ملیم گم شده. و اینکه شناسنامه بچمو کجا بگیرم؟",
    ],
)
def test_a_clause_announcing_another_matter_lends_it_to_the_next(message: str) -> None:
    clauses = split_clauses(message).clauses
    assert clauses[-1].also
    assert all("سوال" not in clause.text for clause in clauses)  # the announcement is not a clause of its own


def test_elsewhere_is_not_another_matter() -> None:
    # «جای دیگه»: another place, not another question («... یه سوال دیگه ...» is one)
    clauses = split_clauses("کارت ملیم هوشمنده. برای گرفتن گذرنامه باید بیام ثبت احوال یا جای دیگه؟").clauses
    assert not clauses[-1].also
    assert split_clauses("کارت ملیم گم شده و یه سوال دیگه فامیلیمو چطوری عوض کنم").clauses[-1].also


def test_a_one_word_clause_is_a_part_only_when_it_names_its_entry(engine: AnswerEngine) -> None:
    # «شهر» (a city) pointed at the offices and made this one question two; «سیدم» names its entry
    story = (
        "پیامک اومد که کارت ملیم آماده تحویله، ولی الان شهر دیگه‌ای هستم. "
        "باید برم همون جایی که ثبت‌نام کردم بگیرمش یا جای دیگه هم میدن؟"
    )
    assert engine.ask(story).parts == []
    assert engine.ask(story).answer_id == "smartcard-delivery"
    assert (
        engine.ask("من سیدم ولی تو شناسنامه‌م نیست، چطوری ثبتش کنم؟ فامیلیمم هم میخوام عوض کنم").parts[0]
        == "sayyid"
    )


def test_the_message_s_two_best_entries_are_answered_in_the_order_asked(engine: AnswerEngine) -> None:
    # neither clause alone is strong enough for a part, but each leans to one of the two best entries
    reply = engine.ask("کارت ملی هوشمند کجا ثبت نام کنم؟ هزینه‌اش هم چقدره؟")
    assert reply.answer_id == "smartcard-register"
    assert reply.parts == ["smartcard-register", "smartcard-fee"]


def test_a_thin_question_after_a_reason_is_not_about_the_reason(engine: AnswerEngine) -> None:
    # «برای بیمه گیره» tells why; «چیکار باید بکنیم» asks about the story, not about insurance
    story = (
        "خواهرم چهل سالشه و هیچوقت شناسنامه نداشته چون تو روستا خونه به دنیا اومده. "
        "حالا برای بیمه و یارانه مونده. چیکار کنیم؟"
    )
    assert_ours(engine, story, "birth-late")
    wants = "ما تازه عقد کردیم. میخوایم یارانه‌مون رو از خانواده جدا کنیم. از کجا باید اقدام کنیم؟"
    assert engine.assess(wants).doubts.other_service  # what they want is the thin question's matter


@pytest.mark.parametrize(
    ("message", "second"),
    [
        (
            "ثبت فوتش رو چطوری انجام بدیم و بعدش انحصار وراثت رو از کجا بگیریم؟",
            "و بعدش انحصار وراثت رو از کجا بگیریم",
        ),
        (
            "میخوام سیادتم تو شناسنامه ثبت بشه و یه اشتباه تو محل تولدم هم هست",
            "و یه اشتباه تو محل تولدم هم هست",
        ),
        ("کارت ملی هوشمند چقدر پول میخواد و چه مدارکی باید ببرم؟", "و چه مدارکی باید ببرم"),
    ],
)
def test_an_and_between_two_questions_cuts_them_apart(message: str, second: str) -> None:
    # one clause asked two things, and the later one (the more words) was answered alone
    assert split_clauses(message).clauses[-1].text == second


@pytest.mark.parametrize(
    "message",
    [
        "کارت ملیم رو کی و کجا تحویل میدن؟",  # two question words, one question
        "آیا این کارت همچنان در بانک‌ها و ادارات پذیرفته می‌شود؟",  # «و» joins two nouns
        "چند وقت پیش کارت ملیم رو گرفتم و یه پاکت رمز هم بهم دادن",  # «چند وقت پیش»: some time ago
        "میخوام هم برای شناسنامه اقدام کنم و هم یه گواهی بگیرم",  # «هم ... و هم»
        "این گواهی را از کجا باید بگیرم و چقدر طول می‌کشد؟",  # asks on about the same matter
    ],
)
def test_an_and_inside_one_question_does_not_cut_it(message: str) -> None:
    assert len(split_clauses(message).clauses) == 1


def test_two_questions_joined_by_and_are_answered_in_the_order_asked(engine: AnswerEngine) -> None:
    reply = engine.ask(
        "سلام پدرم فوت کرده، ثبت فوتش رو چطوری انجام بدیم و بعدش انحصار وراثت رو از کجا بگیریم؟"
    )
    assert reply.answer_id == "death-registration"


def test_a_clause_reporting_what_someone_said_is_not_a_part() -> None:
    # «گفتن اول کارت ملی هوشمند لازمه» is the requirement the passport question is about: with «هم» in
    # the next clause it made a two-part question whose first part, the smart card, was answered
    clauses = split_clauses(
        "میخوایم بریم کربلا و پاسپورت نداریم، گفتن اول کارت ملی هوشمند لازمه، پاسپورت رو هم ثبت احوال میده؟"
    ).clauses
    assert clauses[1].reports and not clauses[2].reports
    assert not _may_pair(clauses[1], clauses[2])
    assert _may_pair(*split_clauses("کارت ملیم گم شده، شناسنامه‌ام هم پاره شده").clauses)


def test_a_story_whose_only_matter_is_another_service_is_not_answered(engine: AnswerEngine) -> None:
    # the bank card is named outside the asking clause, but the story names no matter of the best
    # entry's own: «رمز» and «کارت» are the bank card's, so the smart card's PIN is not its answer
    story = (
        "رمز پویای کارت بانکیم فعال نمیشه و برنامه بانک مدام خطا میده. "
        "خرید اینترنتی هم نمیتونم بکنم. چیکار کنم؟"
    )
    assert_theirs(engine, story)
    own = "بانک کارت ملیمو قبول نکرد و گفت تاریخش گذشته. خیلی عجله دارم چون وام گرفتم. چیکار کنم؟"
    assert not engine.assess(own).doubts.other_service  # the smart card is named: the bank is context


@pytest.mark.parametrize("clause", ["برای نوبت دکتر لازم داریم", "واسه مدرسه باید ببریم"])
def test_a_purpose_told_with_a_need_does_not_ask(clause: str) -> None:
    told = split_clauses(f"کد ملی مادرم رو از کجا پیدا کنیم؟ {clause}").clauses
    assert told[0].asks and not told[1].asks
    assert split_clauses(f"کد ملی مادرم گم شده. {clause}؟").clauses[1].asks
    assert split_clauses("برای المثنی شناسنامه چه مدارکی لازمه").clauses[0].asks


def test_the_question_before_a_purpose_is_the_one_answered(engine: AnswerEngine) -> None:
    # «برای نوبت دکتر لازم داریم» tells why the national code is needed: the doctor's appointment
    # is context, not a question of another organisation
    story = (
        "سلام. مادرم کد ملیش رو یادش رفته و کارت ملیش هم گم شده. شناسنامه‌اش قدیمیه و کد ملی روش نیست. "
        "از کجا کد ملیش رو پیدا کنیم؟ برای نوبت دکتر لازم داریم"
    )
    assert_ours(engine, story, "national-code")


@pytest.mark.parametrize(
    "question",
    [
        "شکایت از بانک کجا ثبت کنم؟",
        "از دکتر شکایت دارم کجا برم؟",
        "با سلام، از بانک محل حسابم شکایت دارم چون بدون اطلاع من از حسابم کسر کرده‌اند. "
        "شکایت از بانک را در کدام سامانه ثبت کنم؟",
    ],
)
def test_a_complaint_about_another_party_is_not_answered(engine: AnswerEngine, question: str) -> None:
    assert engine.ask(question).answer_id is None
    assert engine.ask("از کارمند ثبت احوال شکایت دارم کجا ثبت کنم؟").answer_id == "complaint"


@pytest.mark.parametrize(
    "story",
    [
        "سلام. برای استخدام ازم گواهی عدم سوء پیشینه خواستن. "
        "این گواهی رو ثبت احوال میده یا کجا باید درخواست بدم؟",
        "با سلام، جانباز ۲۵ درصد هستم و کارت ایثارگری‌ام مفقود شده است. "
        "برای دریافت کارت المثنی به کدام نهاد باید مراجعه کنم؟",
    ],
)
def test_an_asking_clause_referring_to_another_service_by_a_word_of_its_name_is_theirs(
    engine: AnswerEngine, story: str
) -> None:
    assert_theirs(engine, story)


def test_a_word_said_again_outside_another_service_s_name_is_the_citizen_s_own(engine: AnswerEngine) -> None:
    # «کارت» is said of the bank card and of the national card: the question is about the latter
    story = (
        "دیشب کیف پولمو زدن. کارت ملی و کارت بانکیم توش بود. "
        "کارت بانکی رو مسدود کردم، ولی برای کارت ملی چیکار کنم؟"
    )
    assert_ours(engine, story, "smartcard-lost")


def test_a_thin_question_naming_again_the_matter_of_the_clause_before_asks_about_it(
    engine: AnswerEngine,
) -> None:
    # «شکایتم» names again the complaint of the clause before, which is about a doctor
    story = (
        "سلام من از پزشک بیمارستان شکایت دارم که زایمان همسرم رو بد انجام داد. شکایتم رو باید کجا ثبت کنم؟"
    )
    assert_theirs(engine, story)
    # a word most entries share («دریافت» of «گرفتن وام» and «المثنی بگیرم») is no matter of its own
    own = (
        "شناسنامه‌ام تو آتیش سوزی از بین رفت. الان برای گرفتن وام بازسازی شناسنامه میخوان. "
        "چطوری المثنی بگیرم؟ مدرک دیگه‌ای هم ندارم"
    )
    assert engine.ask(own).answer_id == "birthcert-duplicate"


def test_a_clause_naming_only_another_service_is_the_one_that_asks(engine: AnswerEngine) -> None:
    # «کارت بانکی رو مسدود کنم» knows no word of the base but the bank card's name: it was left out
    # as saying nothing, and the national card said in passing was answered
    story = (
        "سلام. کارت بانکیم رو گم کردم، کارت ملیم هم همراهم هست. ساعت یازده شبه و می‌ترسم کسی ازش "
        "استفاده کنه. چطوری همین الان کارت بانکی رو مسدود کنم؟"
    )
    assert_theirs(engine, story)


@pytest.mark.parametrize("clause", ["اعتراض به این موضوع رو کجا باید ثبت کنم", "این مشکل رو کی حل میکنه"])
def test_a_noun_after_a_pointing_word_points_back(engine: AnswerEngine, clause: str) -> None:
    assert engine.analyzer.points_back(clause)
    assert not engine.analyzer.points_back("این کارت ملی رو کجا تحویل بدم")


def test_an_asking_clause_reaches_back_through_thin_clauses_that_point_back(engine: AnswerEngine) -> None:
    # «شرایطش چیه» points at the self-employed insurance; «ثبت‌نامش با کد ملی» at what it points at
    story = (
        "سلام. همسرم کارگر ساختمانیه و بیمه نداره. شنیدم میشه بیمه خویش‌فرما گرفت. "
        "شرایطش چیه و ثبت‌نامش با کد ملی از کجا انجام میشه؟"
    )
    assert_theirs(engine, story)
    # a clause that says something of its own («مراسم», «گیج») is not a way back to the doctor
    own = (
        "متاسفانه پدرم دیشب تو خونه فوت کرد و پزشک اومد برگه داد. الان برای مراسم و کارای بعدش "
        "گیج شدیم. برای ثبت فوتش و گرفتن گواهی باید کجا بریم و چه مدارکی ببریم؟"
    )
    assert engine.ask(own).answer_id == "death-registration"


def test_another_service_asked_about_with_a_question_mark_is_asked_wherever_it_stands(
    engine: AnswerEngine,
) -> None:
    story = (
        "سلام و وقت بخیر. من و نامزدم می‌خوایم عقد کنیم. کلاس مشاوره پیش از ازدواج اجباریه؟ "
        "کجا باید ثبت‌نام کنیم و چه مدارکی به‌جز شناسنامه لازمه؟"
    )
    assert [clause.marked for clause in split_clauses(story).clauses] == [False, True, False, True]
    assert_theirs(engine, story)
    # without the question mark the counselling class is the story's context
    told = (
        "سلام. من و همسرم ماه پیش تو محضر عقد کردیم و کلاس مشاوره پیش از ازدواج رو هم رفته بودیم و "
        "همه مدارک رو دادیم. حالا ازدواجمون رو کجا باید تو شناسنامه ثبت کنیم؟"
    )
    assert engine.assess(told).doubts.story
    assert not engine.assess(told).doubts.other_service


def test_another_service_the_citizen_says_they_want_is_asked_about(engine: AnswerEngine) -> None:
    story = (
        "سلام وقت بخیر. یه کارت اهدای عضو می‌خوام بگیرم. با کد ملی میشه آنلاین ثبت‌نام کرد؟ "
        "خانواده‌م هم باید رضایت بدن؟"
    )
    assert_theirs(engine, story)


def test_a_clause_opening_with_and_goes_on_from_the_question_before(engine: AnswerEngine) -> None:
    story = (
        "سلام وقت بخیر. من و همسرم چند ساله با هم مشکل داریم و تصمیم گرفتم دادخواست طلاق بدم. "
        "شناسنامه و سند ازدواج رو آماده کردم ولی نمی‌دونم دادخواست رو باید از کجا ثبت کنم "
        "و چقدر طول می‌کشه تا دادگاه وقت بده؟"
    )
    assert split_clauses(story).clauses[-1].joined
    assert_theirs(engine, story)


def test_a_part_is_an_entry_the_whole_message_would_offer(engine: AnswerEngine) -> None:
    # «کارت ملی هوشمندم رو گرفتم» (told, not asked) ranks the smart card's registration first alone,
    # but the message asks of the passport only: the registration was answered first
    story = (
        "سلام، کارت ملی هوشمندم رو گرفتم و الان میخوام برای سفر کربلا گذرنامه بگیرم. "
        "گذرنامه رو هم ثبت احوال میده یا جای دیگه؟"
    )
    assert engine.assess(story).parts is None
    assert engine.ask(story).answer_id == "redirect-passport"
    two = engine.assess("کارت ملیم گم شده، شناسنامه‌ام هم پاره شده").parts or ()
    assert [part.entry_id for part in two] == ["smartcard-lost", "birthcert-replace"]


def test_a_question_after_a_purpose_asks_about_that_purpose(engine: AnswerEngine) -> None:
    story = (
        "سلام، پدرم فوت کرده و یه ماشین به نامش بوده. برای انتقال پلاک به نام مادرم، "
        "پلیس راهور چه مدارکی میخواد؟ گواهی فوت داریم"
    )
    assert split_clauses(story).clauses[1].purpose
    assert_theirs(engine, story)


def test_after_a_thin_question_the_story_must_name_the_matter_in_a_word_of_its_own(
    engine: AnswerEngine,
) -> None:
    # «درخواست» (the tracking entry's title word) is said of the loan; «پیگیری» is all the question says
    loan = (
        "با سلام. بنده فرهنگی بازنشسته هستم. وام ضروری صندوق ذخیره فرهنگیان را با کد ملی درخواست "
        "داده‌ام اما هنوز واریز نشده. چگونه پیگیری کنم؟"
    )
    assert_theirs(engine, loan)
    counter = (
        "سلام، نزدیک خونه‌ی ما یه دفتر پیشخوان هست که قبض و خدمات بیمه انجام میده. میخوام بدونم کارهای "
        "ثبت احوال مثل ثبت‌نام کارت ملی یا المثنی شناسنامه رو هم میشه اونجا انجام داد یا فقط اداره؟"
    )
    assert engine.ask(counter).answer_id == "pishkhan"


def test_a_question_mark_on_another_service_outweighs_a_matter_named_in_full(engine: AnswerEngine) -> None:
    # the story names the smart card's registration in full («کارت ملی هوشمند ... ثبت‌نام»), but the
    # question asked is the judiciary's (ثنا)
    story = (
        "سلام، من تازه کارت ملی هوشمندم رو گرفتم و می‌خوام برای یه چک برگشتی شکایت کنم ولی میگن اول "
        "باید تو ثنا ثبت‌نام کنم. ثبت‌نام ثنا حضوریه یا آنلاین هم میشه؟"
    )
    assert_theirs(engine, story)
