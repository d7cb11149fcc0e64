"""How generated cases are spread: where they come from, what they are about, who reports and
handles them, how long each transition takes, and the words they are written in.

Performance depends on what is in the table, so the spread follows the real one roughly:
regencies weighted by population, common PPKS categories more frequent, more recent cases than
old ones, old cases mostly closed. The keys are the product's own codes (regions, categories,
urgencies, states, outcomes, actions, assistance kinds); `tests/sampledata` holds them to it.
"""

# Roughly the 2020 census populations (thousands): where most reports come from.
REGENCY_WEIGHTS = {
    "63.01": 348,  # Tanah Laut
    "63.02": 325,  # Kotabaru
    "63.03": 565,  # Banjar
    "63.04": 313,  # Barito Kuala
    "63.05": 189,  # Tapin
    "63.06": 228,  # Hulu Sungai Selatan
    "63.07": 258,  # Hulu Sungai Tengah
    "63.08": 226,  # Hulu Sungai Utara
    "63.09": 253,  # Tabalong
    "63.10": 322,  # Tanah Bumbu
    "63.11": 130,  # Balangan
    "63.71": 657,  # Kota Banjarmasin
    "63.72": 253,  # Kota Banjarbaru
}
# The categories Dinsos sees most; every other active category weighs 2.
CATEGORY_WEIGHTS = {"FM": 25, "LUT": 18, "PD": 12, "AT": 8, "ABT": 5, "KBS": 5, "PGM": 4}
URGENCY = {"emergency": 5, "high": 20, "normal": 60, "low": 15}
OUTCOMES = {
    "resolved": 60,
    "referred": 15,
    "rejected": 10,
    "duplicate": 5,
    "deceased": 3,
    "unreachable": 7,
}
# State by the case's age in days: (upper bound, weights).
STATE_BY_AGE = [
    (30, {"reported": 40, "returned": 5, "verified": 25, "assisted": 20, "closed": 10}),
    (180, {"reported": 7, "returned": 3, "verified": 15, "assisted": 25, "closed": 50}),
    (10_000, {"reported": 2, "returned": 0, "verified": 3, "assisted": 10, "closed": 85}),
]
# Who reports, by regency (demo accounts of API.md); "*" is every other regency.
REPORTERS = {
    "63.71": {"relawan_bjm": 85, "petugas_bjm": 6, "petugas_bjm_2": 4, "supervisor_bjm": 5},
    "63.10": {"relawan_tanbu": 90, "petugas_tanbu": 10},
    "*": {"relawan_bjm": 45, "relawan_tanbu": 45, "supervisor_kalsel": 10},
}
# Who handles a case once verified. Other regencies have no demo officer: the province's
# supervisor handles (and may be assigned) every regency's cases.
ASSIGNEES = {
    "63.71": ["petugas_bjm", "petugas_bjm_2"],
    "63.10": ["petugas_tanbu"],
    "*": ["supervisor_kalsel"],
}
# The days each transition took after the previous one: (shortest, longest).
STEP_DAYS = {
    "return": (0.1, 3),
    "verify": (0.05, 3),
    "reject": (0.05, 3),
    "assist": (0.5, 14),
    "close": (1, 60),
}
REFERRED_TO = [
    "Panti Sosial Tresna Werdha Budi Sejahtera",
    "RSUD Ulin Banjarmasin",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "UPTD Rehabilitasi Sosial Anak",
]
ASSISTANCE_KINDS = ["basic_needs", "health", "civil_documents", "cash_transfer", "shelter"]
NOTES = {
    "report": "",
    "return": "Mohon lengkapi alamat dan nomor kontak keluarga.",
    "verify": "Asesmen awal selesai, kondisi sesuai laporan.",
    "reject": "Tidak memenuhi kriteria PPKS setelah kunjungan.",
    "assist": "",  # the description stays on the assistance record
    "close": "Penanganan selesai, tindak lanjut oleh keluarga.",
}
FIRST_NAMES = [
    "Aminah",
    "Siti",
    "Nur",
    "Rahmah",
    "Fatimah",
    "Halimah",
    "Maimunah",
    "Zainab",
    "Saleha",
    "Jamilah",
    "Ahmad",
    "Muhammad",
    "Abdul",
    "Rahmat",
    "Yusuf",
    "Ismail",
    "Hasan",
    "Husin",
    "Bahrudin",
    "Syahrani",
    "Gusti",
    "Iwan",
    "Budi",
    "Rudi",
    "Agus",
    "Dedi",
]
LAST_NAMES = [
    "Hidayat",
    "Rahman",
    "Saputra",
    "Wahyudi",
    "Hakim",
    "Fauzi",
    "Anwar",
    "Syarif",
    "Ramadhan",
    "Maulana",
    "Hasanah",
    "Lestari",
    "Marlina",
    "Yanti",
    "Wati",
    "Sari",
    "Noor",
    "Aini",
    "Rusdi",
    "Effendi",
    "Arsyad",
    "Bakhtiar",
]
STREETS = [
    "Sungai Andai",
    "Pramuka",
    "A. Yani",
    "Kayu Tangi",
    "Belitung",
    "Veteran",
    "Cempaka",
    "Sultan Adam",
    "Pangeran Antasari",
    "Gatot Subroto",
    "Trikora",
    "Banua Anyar",
]
DESCRIPTIONS = [
    "Dilaporkan warga: {name} membutuhkan asesmen lanjutan oleh pekerja sosial.",
    "{name} tinggal sendiri tanpa keluarga yang merawat, kondisi kesehatan menurun.",
    "Ketua RT melaporkan {name}; kebutuhan makan sehari-hari tidak tercukupi.",
    "Kunjungan PSM: {name} belum terdaftar di DTKS, perlu verifikasi dan pendampingan.",
]
