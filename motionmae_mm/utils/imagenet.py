# Copyright (c) OpenMMLab. All rights reserved.
"""ImageNet RGB mean/std on the 0-255 scale, the one definition.

Every pretrained ViT here (ours, VideoMAE's, Hugging Face VideoMAE's) was
trained on clips normalised with these; the package's defaults and exports
read them from here so they cannot drift apart. Configs keep their literal
copies, being data.
"""
IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)
