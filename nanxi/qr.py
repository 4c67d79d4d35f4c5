"""A QR code as a small SVG, for pages that print with their own address."""

from reportlab.graphics.barcode import qrencoder

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def qr_svg(text: str) -> str:
    """The QR code of ``text`` (error correction M) as one SVG path, black on white."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    size = count + 2 * QUIET_ZONE
    dark = "".join(
        f"M{col + QUIET_ZONE} {row + QUIET_ZONE}h1v1h-1z"
        for row in range(count)
        for col in range(count)
        if code.isDark(row, col)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" '
        f'fill="#fff"/><path d="{dark}" fill="#000"/></svg>'
    )
