"""A long archive for the UI tests: hundreds of dated documents in many languages and folders,
long titles and long file names, a few files the indexer skips."""

from __future__ import annotations

import random
from pathlib import Path

# One short text per language (the words are shuffled into longer bodies).
TEXTS = {
    "en": "The council met on Tuesday to discuss human rights, the harbour budget and the new "
          "bridge over the river; members asked for a public report before the summer.",
    "vi": "Hội đồng đã họp vào thứ Ba để thảo luận về quyền con người, ngân sách bến cảng và "
          "cây cầu mới bắc qua sông; các thành viên yêu cầu một báo cáo công khai trước mùa hè.",
    "de": "Der Rat trat am Dienstag zusammen, um über Menschenrechte, den Hafenhaushalt und die "
          "neue Brücke über den Fluss zu beraten; die Mitglieder verlangten einen Bericht.",
    "fr": "Le conseil s'est réuni mardi pour débattre des droits de l'homme, du budget du port "
          "et du nouveau pont sur la rivière ; les membres ont demandé un rapport public.",
    "es": "El consejo se reunió el martes para debatir los derechos humanos, el presupuesto del "
          "puerto y el nuevo puente sobre el río; los miembros pidieron un informe público.",
    "ru": "Совет собрался во вторник, чтобы обсудить права человека, бюджет порта и новый мост "
          "через реку; члены совета попросили подготовить открытый доклад до лета.",
    "zh": "理事会周二开会讨论人权、港口预算和河上的新桥，成员们要求在夏天之前发布一份公开报告。",
    "ja": "評議会は火曜日に会合を開き、人権、港の予算、川に架かる新しい橋について話し合い、夏までに公開報告書を求めた。",
    "ar": "اجتمع المجلس يوم الثلاثاء لمناقشة حقوق الإنسان وميزانية الميناء والجسر الجديد فوق النهر، "
          "وطلب الأعضاء تقريرا علنيا قبل الصيف.",
    "th": "สภาประชุมเมื่อวันอังคารเพื่อหารือเรื่องสิทธิมนุษยชน งบประมาณท่าเรือ และสะพานใหม่ข้ามแม่น้ำ "
          "สมาชิกขอรายงานสาธารณะก่อนฤดูร้อน",
    "ko": "위원회는 화요일에 모여 인권, 항구 예산, 강을 건너는 새 다리에 대해 논의했으며 위원들은 여름 전에 "
          "공개 보고서를 요청했다.",
    "el": "Το συμβούλιο συνεδρίασε την Τρίτη για να συζητήσει τα ανθρώπινα δικαιώματα, τον "
          "προϋπολογισμό του λιμανιού και τη νέα γέφυρα πάνω από το ποτάμι.",
    "tr": "Konsey salı günü insan hakları, liman bütçesi ve nehir üzerindeki yeni köprüyü "
          "görüşmek için toplandı; üyeler yazdan önce kamuya açık bir rapor istedi.",
    "pl": "Rada zebrała się we wtorek, aby omówić prawa człowieka, budżet portu i nowy most na "
          "rzece; członkowie poprosili o publiczny raport przed latem.",
}
LONG_TITLE = ("Báo cáo tổng hợp kết quả thực hiện nhiệm vụ phát triển kinh tế xã hội năm 2023 và "
              "phương hướng nhiệm vụ năm 2024 của Ủy ban nhân dân tỉnh")
LONG_NAME = "Donaudampfschifffahrtsgesellschaftskapitaenswitwenrentenversicherungsformular"


def make_long_archive(folder: Path, files: int = 200, words: int = 60, seed: int = 7) -> Path:
    """`files` text files in one folder per language (documents from 2001 to 2024), two with a
    very long title or name, and five images the indexer skips."""
    rng = random.Random(seed)
    langs = list(TEXTS)
    for i in range(files):
        lang = langs[i % len(langs)]
        tokens = TEXTS[lang].split() if lang not in ("zh", "ja", "th") else list(TEXTS[lang])
        body = " ".join(rng.choice(tokens) for _ in range(words)) if lang not in (
            "zh", "ja", "th") else "".join(rng.choice(tokens) for _ in range(words * 3))
        year = 2001 + i % 24
        title = f"{TEXTS[lang][:50].strip()} {i}"
        sub = folder / f"{lang}-archive"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{lang}-{i:04d}-{title[:40].replace('/', ' ')}.txt").write_text(
            f"{title}\n\n{year}-{1 + i % 12:02d}-{1 + i % 28:02d} {TEXTS[lang]} {body}\n",
            encoding="utf-8")
    (folder / "vi-archive" / f"{LONG_TITLE[:80]}.txt").write_text(
        f"{LONG_TITLE}\n\n2024-01-15 {LONG_TITLE}. {TEXTS['vi']}\n", encoding="utf-8")
    (folder / "en-archive" / f"{LONG_NAME}.txt").write_text(
        f"{LONG_NAME} council\n\n2020-02-02 {LONG_NAME} {TEXTS['en']} "
        f"https://example.org/{LONG_NAME}/{LONG_NAME}\n", encoding="utf-8")
    for i in range(5):
        (folder / f"scan-{i}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return folder
