#!/usr/bin/env python3
"""Turn Debian python3-* binary packages into wheels, offline.

usage: deb2wheel.py OUTDIR PACKAGE.deb...

Run it with the interpreter that will install the wheels (make-base-image.sh runs it
inside the new root fs): a package that ships a compiled extension gets that
interpreter's cpXY tag and platform.

A Debian python package installs `<module>/` plus `<Name>-<version>.egg-info/` under
/usr/lib/python3/dist-packages. A wheel is that same tree with a `.dist-info/`, so:
  - PKG-INFO (already RFC 822 core metadata) becomes METADATA;
  - requires.txt becomes Requires-Dist lines (`[extra]` sections become markers);
  - Debian drops the install requirements that its own Depends cover, so each
    `python3-foo` in Depends that is one of the packages given here comes back as
    `Requires-Dist: Foo>=<version>` (without that, Flask would install without Werkzeug);
  - WHEEL and RECORD are written, and the tree is zipped. Standard library only.
"""

import base64
import email.parser
import hashlib
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

SITE = "usr/lib/python3/dist-packages"
# A fixed timestamp for every zip entry, so the same .deb gives the same wheel.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def control_field(deb, name):
    result = subprocess.run(["dpkg-deb", "--field", deb, name], check=True, capture_output=True, text=True)
    return result.stdout.strip()


def find_egg_info(site, deb):
    eggs = [entry for entry in os.listdir(site) if entry.endswith(".egg-info")]
    if len(eggs) != 1:
        sys.exit(f"deb2wheel: {deb} has {len(eggs)} *.egg-info entries in /{SITE}; expected exactly one")
    return eggs[0]


def requires_txt_to_requires_dist(text):
    """setuptools' requires.txt ("req" lines, then "[extra:marker]" sections) as Requires-Dist values."""
    requirements, extra, marker = [], None, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        section = re.fullmatch(r"\[([^:\]]*)(?::(.*))?\]", line)
        if section:
            extra, marker = section.group(1) or None, section.group(2)
            continue
        conditions = []
        if extra:
            conditions.append(f'extra == "{extra}"')
        if marker:
            conditions.append(f"({marker})" if extra else marker)
        requirements.append(f"{line}; {' and '.join(conditions)}" if conditions else line)
    return requirements


def debian_depends_to_requirements(depends, distribution_of):
    """`python3-werkzeug (>= 2.2.2-1~), python3:any` -> ["Werkzeug>=2.2.2"] for packages we convert."""
    requirements = []
    for group in (part.strip() for part in depends.split(",") if part.strip()):
        first_alternative = group.split("|")[0].strip()
        match = re.match(r"([a-z0-9][a-z0-9+.-]*)(?::\w+)?\s*(?:\(\s*>=\s*(?:\d+:)?([^)\s]+)\s*\))?", first_alternative)
        if not match or match.group(1) not in distribution_of:
            continue
        requirement = distribution_of[match.group(1)]
        if match.group(2):
            upstream = re.sub(r"-[^-]*$", "", match.group(2)).split("~")[0].split("+")[0]
            requirement += f">={upstream}"
        requirements.append(requirement)
    return requirements


def wheel_tag(site):
    for _root, _dirs, files in os.walk(site):
        if any(name.endswith(".so") for name in files):
            python = "cp%d%d" % sys.version_info[:2]
            platform = re.sub(r"[-.]", "_", sysconfig.get_platform())
            return f"{python}-{python}-{platform}", False
    return "py3-none-any", True


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def write_wheel(site, dist_info_name, outdir, name, version, tag):
    wheel_path = os.path.join(outdir, f"{name.replace('-', '_')}-{version}-{tag}.whl")
    records = []
    with zipfile.ZipFile(wheel_path, "w", compression=zipfile.ZIP_DEFLATED) as wheel:
        for root, dirs, files in os.walk(site):
            dirs.sort()
            for filename in sorted(files):
                full = os.path.join(root, filename)
                arcname = os.path.relpath(full, site)
                with open(full, "rb") as handle:
                    data = handle.read()
                info = zipfile.ZipInfo(arcname, ZIP_TIME)
                info.external_attr = (os.stat(full).st_mode & 0o777 | 0o100000) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                wheel.writestr(info, data)
                records.append(record_line(arcname, data))
        record_name = f"{dist_info_name}/RECORD"
        records.append(f"{record_name},,")
        info = zipfile.ZipInfo(record_name, ZIP_TIME)
        info.external_attr = 0o100644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        wheel.writestr(info, "\n".join(records) + "\n")
    return wheel_path


def drop_unusable_files(site):
    """Debian swaps bundled files (e.g. jQuery) for symlinks into /usr/share; in a wheel they would dangle."""
    dropped = []
    inside = os.path.realpath(site) + os.sep
    for root, _dirs, files in os.walk(site):
        for filename in files:
            path = os.path.join(root, filename)
            if os.path.islink(path) and not os.path.realpath(path).startswith(inside):
                os.unlink(path)
                dropped.append(os.path.relpath(path, site))
    return dropped


def convert(deb, workdir, outdir, distribution_of):
    site = os.path.join(workdir, SITE)
    egg_info = find_egg_info(site, deb)
    egg_path = os.path.join(site, egg_info)
    with open(os.path.join(egg_path, "PKG-INFO"), encoding="utf-8") as handle:
        metadata = email.parser.Parser().parse(handle)
    name, version = metadata["Name"], metadata["Version"]

    requires = []
    requires_txt = os.path.join(egg_path, "requires.txt")
    if os.path.exists(requires_txt):
        with open(requires_txt, encoding="utf-8") as handle:
            requires = requires_txt_to_requires_dist(handle.read())
    declared = {normalize(re.split(r"[\s;<>=!~\[(]", r, maxsplit=1)[0]) for r in requires if "extra ==" not in r}
    restored = [
        r
        for r in debian_depends_to_requirements(control_field(deb, "Depends"), distribution_of)
        if normalize(re.split(r"[<>=]", r, maxsplit=1)[0]) not in declared
    ]
    del metadata["Requires-Dist"]
    for requirement in requires + restored:
        metadata["Requires-Dist"] = requirement
    extras = sorted({m.group(1) for r in requires for m in [re.search(r'extra == "([^"]+)"', r)] if m})
    del metadata["Provides-Extra"]
    for extra in extras:
        metadata["Provides-Extra"] = extra
    if metadata["Metadata-Version"] in (None, "1.0", "1.1"):
        del metadata["Metadata-Version"]
        metadata["Metadata-Version"] = "2.1"

    dist_info_name = f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info = os.path.join(site, dist_info_name)
    os.mkdir(dist_info)
    with open(os.path.join(dist_info, "METADATA"), "w", encoding="utf-8") as handle:
        handle.write(metadata.as_string())
    for kept in ("entry_points.txt", "top_level.txt"):
        source = os.path.join(egg_path, kept)
        if os.path.exists(source):
            os.rename(source, os.path.join(dist_info, kept))
    subprocess.run(["rm", "-rf", egg_path], check=True)

    dropped = drop_unusable_files(site)
    tag, pure = wheel_tag(site)
    with open(os.path.join(dist_info, "WHEEL"), "w", encoding="utf-8") as handle:
        handle.write(
            "Wheel-Version: 1.0\n"
            f"Generator: container-ship deb2wheel ({os.path.basename(deb)})\n"
            f"Root-Is-Purelib: {'true' if pure else 'false'}\n"
            f"Tag: {tag}\n"
        )
    path = write_wheel(site, dist_info_name, outdir, name, version, tag)
    note = f"; dropped {len(dropped)} Debian-only files" if dropped else ""
    print(f"deb2wheel: {os.path.basename(deb)} -> {os.path.basename(path)} (restored: {', '.join(restored) or 'none'}{note})")


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    outdir, debs = argv[1], argv[2:]
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="deb2wheel.") as tmp:
        unpacked = []
        distribution_of = {}
        for index, deb in enumerate(debs):
            workdir = os.path.join(tmp, str(index))
            subprocess.run(["dpkg-deb", "--extract", deb, workdir], check=True)
            egg_info = find_egg_info(os.path.join(workdir, SITE), deb)
            distribution_of[control_field(deb, "Package")] = egg_info.split("-")[0]
            unpacked.append((deb, workdir))
        for deb, workdir in unpacked:
            convert(deb, workdir, outdir, distribution_of)


if __name__ == "__main__":
    main(sys.argv)
