"""A headless Chromium driven over the DevTools protocol through a pipe (no package beyond the standard library):
real mouse clicks, typing and screenshots, for the explorer page's tests. Tests skip when Chromium is absent."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Browser:
    """One headless Chromium window (``width`` × ``height``, its screen; the page gets what is left of it)."""

    def __init__(self, width: int = 1366, height: int = 768) -> None:
        if CHROMIUM is None:
            raise RuntimeError("Chromium is not installed")
        self.profile = tempfile.TemporaryDirectory()
        to_chrome, self._write = os.pipe()  # we write, Chromium reads its fd 3
        self._read, from_chrome = os.pipe()  # Chromium writes its fd 4, we read
        ends = (os.dup(to_chrome), os.dup(from_chrome))

        def as_fds_3_and_4() -> None:
            os.dup2(ends[0], 3)
            os.dup2(ends[1], 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
             f"--window-size={width},{height}", f"--user-data-dir={self.profile.name}", "about:blank"],
            preexec_fn=as_fds_3_and_4, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (to_chrome, from_chrome, *ends):
            os.close(fd)
        self._buffer, self._next = b"", 0
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next(t["targetId"] for t in targets if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", {"targetId": page, "flatten": True})["sessionId"]
        self.send("Page.enable", session=True)

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = False,
             timeout: float = 60.0) -> dict[str, Any]:
        """One DevTools command; its result (events on the way are dropped)."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" not in self._buffer:
                if not select.select([self._read], [], [], max(0.0, deadline - time.monotonic()))[0]:
                    raise TimeoutError(f"Chromium did not answer {method}")
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def open(self, path: Path, fragment: str = "", ready: str = "window.curtainReady === true") -> None:
        """Open a page afresh (its script run again, even when only the ``#fragment`` differs) and wait until it
        is loaded and ``ready`` (JavaScript; by default, the explorer says it is ready) holds."""
        self.send("Page.navigate", {"url": "about:blank"}, session=True)
        while self.js("location.href") != "about:blank":
            time.sleep(0.05)
        self.send("Page.navigate", {"url": path.resolve().as_uri() + fragment}, session=True)
        deadline = time.monotonic() + 60
        while not self.js(f"({ready}) && document.readyState === 'complete'"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} did not get ready")
            time.sleep(0.1)

    def js(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        found = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        if "exceptionDetails" in found:
            raise RuntimeError(f"{expression}: {found['exceptionDetails']}")
        return found["result"].get("value")

    def centre(self, selector: str) -> tuple[float, float]:
        box = self.js(f"(() => {{ const b = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
                      " return [b.left + b.width / 2, b.top + b.height / 2]; })()")
        return box[0], box[1]

    def click(self, selector: str, button: str = "left") -> None:
        """A real mouse click (press and release) at the middle of the element ``selector`` finds."""
        self.js(f"document.querySelector({json.dumps(selector)}).scrollIntoView({{block: 'nearest'}})")
        x, y = self.centre(selector)
        self.click_at(x, y, button)

    def click_at(self, x: float, y: float, button: str = "left") -> None:
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": button,
                                                   "buttons": 0 if kind == "mouseMoved" else
                                                   (1 if button == "left" else 2), "clickCount": 1},
                      session=True)

    def type(self, selector: str, text: str) -> None:
        """Click into a text box, empty it and type ``text`` key by key."""
        self.click(selector)
        self.js(f"document.querySelector({json.dumps(selector)}).select()")
        self.key("Backspace")
        for char in text:
            self.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": char, "key": char}, session=True)
            self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": char}, session=True)

    def key(self, name: str) -> None:
        codes = {"Enter": 13, "Backspace": 8, "Tab": 9}
        for kind in ("rawKeyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": name, "windowsVirtualKeyCode": codes[name],
                                                 **({"text": "\r"} if name == "Enter" and kind == "rawKeyDown"
                                                    else {})}, session=True)

    def text(self, selector: str) -> str:
        return str(self.js(f"document.querySelector({json.dumps(selector)}).textContent"))

    def screenshot(self, path: Path) -> Path:
        shot = self.send("Page.captureScreenshot", {"format": "png"}, session=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._write)
        os.close(self._read)
        self.profile.cleanup()
