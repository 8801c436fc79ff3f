#!/usr/bin/env bash
# ImageNet, ResNet-50 (torchvision layout, imagenet class): prune job, then train job.
# Not stated by the reference. Our choice: the standard torchvision ImageNet recipe: SGD momentum 0.9, global
# batch 256, lr 0.1 dropped x0.1 at epochs 30, 60 and 80, weight decay 1e-4, 90 epochs; compressions 10, 14
# and 18 (sparsity 89.26 %, 95.60 %, 98.20 %). The paper trained ResNet-50 on 4 GPUs: NGPUS=4 matches it.
DESCRIPTION="ImageNet, ResNet-50 (torchvision layout, imagenet class): prune job, then train job."
NAME=resnet50-imagenet
COMPRESSIONS="${COMPRESSIONS:-10 14}"   # the paper's ImageNet table: sparsity 89.26 % and 95.60 %
SETTING=(--dataset imagenet --model resnet50 --model-class imagenet --optimizer sgd --train-batch-size 256 --lr 0.1 --lr-drops 30 60 80 --lr-drop-rate 0.1 --weight-decay 1e-4 --post-epochs 90 --workers 8)
source "$(dirname "$0")/_paper.sh"
paper_run
