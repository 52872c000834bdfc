from __future__ import annotations

import numpy as np
import pytest

from tests.vision import synth
from vision.preprocess import ImageError, decode, leaf_box, model_input, read_header, reduction_for


def test_header_and_reduced_decode_of_large_jpeg() -> None:
    img = np.zeros((3000, 4000, 3), np.uint8)
    img[:, :2000] = (0, 0, 255)
    data = synth.jpeg(img, 70)
    info = read_header(data)
    assert (info.format, info.width, info.height, info.orientation) == ("jpeg", 4000, 3000, 1)
    assert reduction_for(info) == 8
    dec = decode(data)
    assert dec.reduction == 8
    assert dec.image.shape == (375, 500, 3)
    assert dec.original_size == (4000, 3000)


def test_small_jpeg_not_reduced() -> None:
    dec = decode(synth.jpeg(synth.leaf(400, 300)))
    assert dec.reduction == 1 and dec.image.shape == (300, 400, 3)


def test_exif_orientation_6_is_applied() -> None:
    # Stored landscape 200x100, left half red; orientation 6 = rotate 90 deg clockwise to view.
    img = np.zeros((100, 200, 3), np.uint8)
    img[:, :100] = (0, 0, 255)
    img[:, 100:] = (255, 0, 0)
    data = synth.jpeg_with_orientation(img, 6)
    info = read_header(data)
    assert info.orientation == 6
    dec = decode(data)
    assert dec.image.shape == (200, 100, 3)
    assert dec.original_size == (100, 200)
    top, bottom = dec.image[20, 50], dec.image[180, 50]
    assert top[2] > 200 and top[0] < 60  # the stored left (red) is now on top
    assert bottom[0] > 200 and bottom[2] < 60


@pytest.mark.parametrize("orientation", [1, 2, 3, 4, 5, 7, 8])
def test_all_orientations_decode(orientation: int) -> None:
    img = synth.leaf(200, 100)
    dec = decode(synth.jpeg_with_orientation(img, orientation))
    expected = (100, 200) if orientation < 5 else (200, 100)
    assert dec.image.shape[:2] == expected


def test_png_with_jpg_name_is_decoded_by_content(tmp_path: object) -> None:
    data = synth.png(synth.leaf(300, 200))
    assert read_header(data).format == "png"
    assert decode(data).image.shape == (200, 300, 3)


def test_png_exif_orientation_is_applied() -> None:
    img = synth.leaf(200, 100)
    data = synth.png_with_orientation(img, 6)
    assert data.index(b"eXIf") < data.index(b"IDAT")
    info = read_header(data)
    assert (info.format, info.width, info.height, info.orientation) == ("png", 200, 100, 6)
    dec = decode(data)
    assert dec.image.shape == (200, 100, 3)
    assert np.array_equal(dec.image, np.rot90(img, -1))  # lossless: exactly the clockwise turn


def test_truncated_png_is_refused() -> None:
    data = synth.png(synth.leaf(300, 200))
    for cut in (len(data) - 12, len(data) // 2):  # IEND missing; a chunk runs past the end
        with pytest.raises(ImageError) as ei:
            read_header(data[:cut])
        assert ei.value.code == "corrupt"


def test_truncated_jpeg_is_refused() -> None:
    data = synth.jpeg(synth.leaf())
    with pytest.raises(ImageError) as ei:
        decode(data[: len(data) // 2])
    assert ei.value.code == "truncated"


@pytest.mark.parametrize("junk", [b"", b"hello world, not an image at all", b"%PDF-1.7\n" + b"0" * 200])
def test_non_images_are_refused(junk: bytes) -> None:
    with pytest.raises(ImageError) as ei:
        decode(junk)
    assert ei.value.code == "not_an_image"


def test_decompression_bomb_refused_from_header() -> None:
    data = synth.with_fake_size(synth.jpeg(synth.leaf(64, 64)), 60000, 60000)
    assert read_header(data).width == 60000
    with pytest.raises(ImageError) as ei:
        decode(data)
    assert ei.value.code == "too_large"


def test_leaf_box_zooms_on_small_leaf_and_centre_crop_otherwise() -> None:
    big = synth.leaf(800, 600)
    x, y, w, h = leaf_box(big)
    assert w == h and w <= 600 and x >= 0 and y >= 0 and x + w <= 800
    canvas = synth.wall(1200, 900).copy()
    canvas[300:600, 450:750] = synth.leaf(300, 300)
    bx, by, bw, bh = leaf_box(canvas)
    assert bw < 900 * 0.8 and bx <= 450 + 50 and bx + bw >= 750 - 50
    out = model_input(canvas, 128, (bx, by, bw, bh))
    assert out.shape == (128, 128, 3) and out.dtype == np.uint8
