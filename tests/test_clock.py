from engine.state.clock import Clock


def test_day_and_minute_from_ticks():
    clock = Clock(tick_seconds=60, start_minute=6 * 60)
    assert clock.day(0) == 1 and clock.minute_of_day(0) == 360
    assert clock.minute_of_day(18 * 60) == 0 and clock.day(18 * 60) == 2
    assert clock.weekday(0) == 0 and clock.weekday(18 * 60 + 6 * 24 * 60) == 0  # Monday again
    assert clock.text(90) == "Day 1 Mon 07:30"


def test_tick_at_minute_is_the_next_occurrence():
    clock = Clock(tick_seconds=60, start_minute=6 * 60)
    assert clock.tick_at_minute(0, 7 * 60) == 60
    assert clock.tick_at_minute(0, 5 * 60) == 23 * 60  # tomorrow morning
    assert clock.tick_at_minute(0, 6 * 60) == 24 * 60  # "now" means the next day


def test_tick_length_is_configurable():
    clock = Clock(tick_seconds=300, start_minute=0)
    assert clock.minute_of_day(12) == 60
    assert clock.ticks_for(60) == 12
    assert clock.tick_at_minute(0, 61) == 13  # rounds up to the first tick at or after


def test_rejects_silly_tick_lengths():
    import pytest

    with pytest.raises(ValueError):
        Clock(tick_seconds=0)
