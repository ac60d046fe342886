"""Where sessions live, as settings: the flag, the variable, and what is refused before anything starts."""

import pytest

from sendkit_mock.settings import Settings, SettingsError


def test_the_store_comes_from_the_environment_as_every_setting_does() -> None:
    settings = Settings.from_env({"SENDKIT_MOCK_STORE": "redis://10.0.0.5:6379/2", "SENDKIT_MOCK_WORKERS": "3"})
    assert settings.store == "redis://10.0.0.5:6379/2" and settings.workers == 3
    assert Settings.from_env({}).store == "memory" and Settings().workers == 1


def test_several_workers_need_a_shared_store() -> None:
    with pytest.raises(SettingsError, match="workers=2 needs a shared store"):
        Settings(workers=2)


@pytest.mark.parametrize("store", ["redis:/x", "postgres://db/1", "Memory", ""])
def test_a_store_that_is_neither_memory_nor_a_redis_url_is_refused_naming_it(store: str) -> None:
    with pytest.raises(SettingsError, match="store="):
        Settings(store=store)
