#!/usr/bin/env bash
# Tiny-ImageNet, ResNet-18 (tinyimagenet class).
# Not stated by the reference. Our choice: the Tiny-ImageNet ResNet-18 recipe of Frankle et al. (2021): SGD
# momentum 0.9, batch 256, lr 0.2 dropped x0.1 at epochs 100 and 150, weight decay 1e-4, 200 epochs.
DESCRIPTION="Tiny-ImageNet, ResNet-18 (tinyimagenet class)."
NAME=resnet18-tinyimagenet
COMPRESSIONS="18 16 14 12 10 8 6 4 2"
SETTING=(--dataset tiny-imagenet --model resnet18 --model-class tinyimagenet --optimizer sgd --train-batch-size 256 --lr 0.2 --lr-drops 100 150 --lr-drop-rate 0.1 --weight-decay 1e-4 --post-epochs 200)
source "$(dirname "$0")/_paper.sh"
paper_run
