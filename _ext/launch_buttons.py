"""Launch (Binder, Colab) and repository buttons only for a repository that exists.

The buttons of the theme link ``repository.url`` of ``_config.yml``. While that URL is a
placeholder (empty, or ``https://github.com/your-org/...`` and the like, see
:func:`is_placeholder`), every one of them would lead to a page that does not exist, so the
build leaves them out: no launch menu, no repository, issues or edit button. The download
button stays (it serves the page's own notebook from the build).

With a real URL the buttons appear, and the Sphinx tag ``launch_buttons`` is set, so pages
can speak of them only then::

    ```{only} launch_buttons
    Use the rocket icon at the top of a chapter ...
    ```
"""

from __future__ import annotations

from urllib.parse import urlparse

from sphinx.util import logging

TAG = "launch_buttons"
# Owners and hosts that stand for "fill in your own": a URL naming one is not a repository.
PLACEHOLDER_OWNERS = frozenset({"your-org", "your-name", "your-username", "your-user",
                                "username", "user", "owner", "org", "example", "example-org"})
PLACEHOLDER_HOSTS = frozenset({"example.com", "example.org", "example.net"})
REPOSITORY_BUTTONS = ("use_repository_button", "use_issues_button", "use_edit_page_button")

logger = logging.getLogger(__name__)


def is_placeholder(url: str | None) -> bool:
    """Whether ``url`` stands for a repository to be filled in rather than naming one."""
    if not url or not url.strip():
        return True
    parts = urlparse(url.strip())
    owner = parts.path.strip("/").split("/")[0].lower()
    return (parts.scheme not in ("http", "https") or parts.hostname in PLACEHOLDER_HOSTS
            or not owner or owner in PLACEHOLDER_OWNERS)


def _buttons_for_real_repositories_only(app, config):
    options = config.html_theme_options
    url = options.get("repository_url", "")
    if not is_placeholder(url):
        app.tags.add(TAG)
        return
    options["launch_buttons"] = {}
    for button in REPOSITORY_BUTTONS:
        options[button] = False
    options.pop("repository_url", None)
    logger.info(f"repository.url {url!r} is a placeholder: the build leaves out the launch "
                "and repository buttons (set a real URL in _config.yml to show them)")


def setup(app):
    app.connect("config-inited", _buttons_for_real_repositories_only)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
