"""Benchmark: 入户信息卡 rendered and signed per second, next to a bare one-page reportlab render.

Not a test: it prints numbers for a person to read (issue 15's target: render + sign ≥ 100 cards/s
per process). Run with `make bench` or `.venv/bin/python bench/cards.py [--cards N] [--rounds R]`.
No database is needed: the renderer takes plain CardData, the signer its key from settings.

Render, sign and render + sign are each run R times (default 3) and print the best wall-clock rate
and the best rate per CPU-second of this process (time.process_time()): on a 2-core machine shared
with other jobs the wall rate says as much about the neighbours as about the code.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _sample(index: int):
    from hukou_card import numbers
    from hukou_card.pdf import CardData, Companion

    number = numbers.new_card_number(district_code="440112", year=2026)
    code = numbers.new_verification_code()
    surnames = "张王李赵陈刘杨黄吴周"
    return CardData(
        number=number,
        verification_code=code,
        move_type="主迁",
        district="广东省广州市黄埔区",
        category="引进人才入户（职称类人才）",
        name=f"{surnames[index % 10]}{'晓明华强丽'[index % 5]}{'一二三四五六七'[index % 7]}",
        gender="男",
        birth_date="1990年05月17日",
        id_number="11010519491231002X",
        ethnicity="汉族",
        marital_status="已婚",
        graduate_school="华南理工大学",
        employer=f"广州测试科技有限公司{index}",
        education="硕士研究生",
        degree="硕士",
        position="高级软件工程师",
        professional_title="中级 工程师",
        professional_qualification="无",
        skill_qualification="无",
        shortage_occupation="无",
        approval_number=f"穗埔人社引〔2026〕{index + 1}号",
        original_registry_office="湖南省长沙市公安局岳麓分局",
        original_hukou_address="湖南省长沙市岳麓区麓山南路1号",
        intended_address="广州市黄埔区科学大道100号",
        issuing_bureau="广州市黄埔区人力资源和社会保障局",
        issued_on="2026年10月08日",
        deadline="2027年01月06日",
        verify_url=f"https://gzrs.hrssgz.gov.cn/cards/verify/0f8fad5b-d9cb-469f-a165-{index:012d}/{code}/",
        verify_hint_url="https://gzrs.hrssgz.gov.cn/cards/verify/",
        seal_code="1234567890123",
        companions=(
            Companion("李晓红", "440106199105170028", "配偶"),
            Companion("张小宝", "440106201803090011", "儿子"),
        ),
    )


def _bare_page() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Hello, reportlab")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


TARGET = 100  # cards rendered and signed per second per process (issue 15)


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.1f}/s  ({seconds / count * 1000:6.2f} ms each)"


def _rates(count: int, wall: float, cpu: float) -> str:
    return f"wall {_rate(count, wall)}   CPU {_rate(count, cpu)}"


def _load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.1f}" for value in load)


def _best(rounds: int, work) -> tuple[float, float]:
    """(wall, CPU) seconds of `work()`, each the best of `rounds` runs: the least disturbed one."""
    walls, cpus = [], []
    for _ in range(rounds):
        started, cpu_started = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu_started)
    return min(walls), min(cpus)


def _pkcs11_signing(samples, rendered_cards) -> tuple[float, str] | str:
    """Seconds to sign every card through PKCS#11 (pyHanko's CMS, the token's key), or why not.

    The configured token if CARD_SIGNING_PKCS11_MODULE is set, else a throw-away SoftHSM2 token
    made by init_dev_hsm_token in a temporary directory (SoftHSM2 reads SOFTHSM2_CONF when this
    process first loads the library, so the token is made before that)."""
    import shutil
    import subprocess
    import tempfile

    from django.conf import settings

    from hukou_card import signing

    configured = bool(settings.CARD_SIGNING_PKCS11_MODULE)
    saved = {name: getattr(settings, name) for name in dir(settings) if name.startswith("CARD_SIGNING_")}
    scratch = None
    if not configured:
        module = "/usr/lib/softhsm/libsofthsm2.so"
        if not (os.path.isfile(module) and shutil.which("softhsm2-util")):
            return "no token configured and no SoftHSM2: apt-get install softhsm2"
        scratch = tempfile.TemporaryDirectory(prefix="bench-softhsm-")
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "init_dev_hsm_token",
                "--dir",
                scratch.name,
                "--token-label",
                "bench",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        env = dict(line.split("=", 1) for line in result.stdout.splitlines() if line.split("=")[0].isupper())
        os.environ["SOFTHSM2_CONF"] = env.pop("SOFTHSM2_CONF")
        for name, value in env.items():
            setattr(settings, name, value)
        settings.CARD_SIGNING_KEY = settings.CARD_SIGNING_CERT = ""
    signing.reset_card_signer()
    try:
        card = signing.card_signer()
        label = (
            f"{card.signer.token.config.token_label}, {card.signer.signing_cert.public_key.algorithm.upper()}"
        )
        label += "" if configured else ", SoftHSM2"
        for sample, rendered in zip(samples[:5], rendered_cards[:5], strict=True):  # warm-up
            signing.sign_card_pdf(
                rendered.pdf, seal_box=rendered.seal_box, signer_name=sample.issuing_bureau, reason="bench"
            )
        started, cpu_started = time.perf_counter(), time.process_time()
        for sample, rendered in zip(samples, rendered_cards, strict=True):
            signing.sign_card_pdf(
                rendered.pdf, seal_box=rendered.seal_box, signer_name=sample.issuing_bureau, reason="bench"
            )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        # SoftHSM2 signs inside this process, so its work is in the CPU time; a network HSM's is not.
        return seconds, f"{label}; CPU {len(samples) / cpu:.1f}/s"
    finally:
        signing.reset_card_signer()
        for name, value in saved.items():
            setattr(settings, name, value)
        if scratch is not None:
            scratch.cleanup()


def run(cards: int = 200, rounds: int = 3) -> dict[str, float]:
    _setup_django()
    from hukou_card.pdf import register_font, render_card
    from hukou_card.signing import card_signer, sign_card_pdf

    started = time.perf_counter()
    register_font()
    font_seconds = time.perf_counter() - started
    started = time.perf_counter()
    signer = card_signer()
    signer_seconds = time.perf_counter() - started
    samples = [_sample(i) for i in range(cards)]
    # Warm-up: first-use imports and caches are per process, not per card.
    for sample in samples[:5]:
        rendered = render_card(sample)
        sign_card_pdf(
            rendered.pdf, seal_box=rendered.seal_box, signer_name=sample.issuing_bureau, reason="bench"
        )
        _bare_page()

    load_before = os.getloadavg()
    bare, _ = _best(rounds, lambda: [_bare_page() for _ in range(cards)])

    rendered_cards = [render_card(sample) for sample in samples]
    render_only, render_only_cpu = _best(rounds, lambda: [render_card(sample) for sample in samples])

    def sign_all() -> None:
        for sample, rendered in zip(samples, rendered_cards, strict=True):
            sign_card_pdf(
                rendered.pdf, seal_box=rendered.seal_box, signer_name=sample.issuing_bureau, reason="bench"
            )

    sign_only, sign_only_cpu = _best(rounds, sign_all)

    # For comparison: the same signatures with pyHanko assembling the CMS itself (asn1crypto).
    started = time.perf_counter()
    for sample, rendered in zip(samples, rendered_cards, strict=True):
        sign_card_pdf(
            rendered.pdf,
            seal_box=rendered.seal_box,
            signer_name=sample.issuing_bureau,
            reason="bench",
            fast_cms=False,
        )
    sign_pyhanko_cms = time.perf_counter() - started

    # The same signatures with the key in a PKCS#11 token (SoftHSM2 unless one is configured).
    pkcs11 = _pkcs11_signing(samples, rendered_cards)

    sizes = []

    def render_and_sign_all() -> None:
        sizes.clear()
        for sample in samples:
            rendered = render_card(sample)
            signed = sign_card_pdf(
                rendered.pdf, seal_box=rendered.seal_box, signer_name=sample.issuing_bureau, reason="bench"
            )
            sizes.append(len(signed))

    both, both_cpu = _best(rounds, render_and_sign_all)
    load_after = os.getloadavg()

    print(f"入户信息卡 benchmark — {cards} cards, one process, pid {os.getpid()}, best of {rounds} rounds")
    print(f"  signing key: {signer.subject}{' (development CA)' if signer.is_development else ''}")
    print(
        f"  once per process: font registration {font_seconds * 1000:.0f} ms, signer load {signer_seconds * 1000:.0f} ms"
    )
    print(f"  bare one-page reportlab render : {_rate(cards, bare)}")
    print(f"  card render only               : {_rates(cards, render_only, render_only_cpu)}")
    print(f"  card sign only                 : {_rates(cards, sign_only, sign_only_cpu)}")
    print("                                   (pyHanko PDF + cryptography CMS)")
    print(f"  card sign only, pyHanko's CMS  : {_rate(cards, sign_pyhanko_cms)}   (not used: for comparison)")
    if isinstance(pkcs11, str):
        print(f"  card sign only, PKCS#11        : skipped ({pkcs11})")
    else:
        seconds, label = pkcs11
        print(f"  card sign only, PKCS#11        : {_rate(cards, seconds)}   ({label})")
    print(f"  card render + sign             : {_rates(cards, both, both_cpu)}")
    print(
        f"  avg signed PDF {sum(sizes) / len(sizes) / 1024:.0f} KiB; a card costs {both / bare:.0f}× a bare page (wall)"
    )
    print(
        f"  load average (1 / 5 / 15 min) on {os.cpu_count()} cores: before {_load(load_before)}, after {_load(load_after)}"
    )
    verdict = (
        "met"
        if cards / both >= TARGET
        else "NOT met on the wall clock; met per CPU-second (other processes share the cores?)"
        if cards / both_cpu >= TARGET
        else "NOT met"
    )
    print(f"  target render + sign ≥ {TARGET} cards/s per process: {verdict}")
    return {
        "bare_per_second": cards / bare,
        "render_per_second": cards / render_only,
        "render_per_cpu_second": cards / render_only_cpu,
        "sign_per_second": cards / sign_only,
        "sign_per_cpu_second": cards / sign_only_cpu,
        "sign_pyhanko_cms_per_second": cards / sign_pyhanko_cms,
        **({} if isinstance(pkcs11, str) else {"sign_pkcs11_per_second": cards / pkcs11[0]}),
        "cards_per_second": cards / both,
        "cards_per_cpu_second": cards / both_cpu,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=200, help="cards to render and sign (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each measure, best kept (default 3)")
    args = parser.parse_args(argv)
    run(cards=args.cards, rounds=args.rounds)


if __name__ == "__main__":
    main()
