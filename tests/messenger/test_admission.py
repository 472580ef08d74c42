"""Updates begin one per event-loop turn (``bot/messenger/updates/admission.py``): the Bot API's
answers to replies already sent are read between two updates' engine steps, not after a burst's."""

from __future__ import annotations

import asyncio

from bot.messenger.updates.admission import Admission


async def test_a_burst_begins_one_update_per_turn_and_answers_are_read_in_between() -> None:
    loop = asyncio.get_running_loop()
    admission = Admission()
    events: list[tuple[str, int]] = []

    async def handle(index: int) -> None:
        await admission.turn()
        events.append(("begin", index))  # the engine's step would run here
        answered: asyncio.Future[None] = loop.create_future()
        loop.call_soon(answered.set_result, None)  # the Bot API's answer to the reply, on the next turn
        await answered
        events.append(("done", index))  # where the inbox marks it

    await asyncio.gather(*(handle(i) for i in range(20)))
    begins = [i for kind, i in events if kind == "begin"]
    assert begins == list(range(20))  # in the order they came
    # the first update is done before the fourth begins (without the pacing: after all twenty)
    assert events.index(("done", 0)) < events.index(("begin", 3))
    assert len(admission) == 0


async def test_an_update_cancelled_while_it_waits_lets_the_next_one_in() -> None:
    admission = Admission()
    began: list[int] = []

    async def handle(index: int) -> None:
        await admission.turn()
        began.append(index)

    tasks = [asyncio.create_task(handle(i)) for i in range(4)]
    await asyncio.sleep(0)  # the first has begun, the others wait
    tasks[1].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert began == [0, 2, 3]
    await asyncio.wait_for(admission.turn(), 1)  # open again once no one waits
